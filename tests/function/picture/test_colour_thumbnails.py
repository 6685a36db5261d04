"""Colour through the whole core: make_thumbnails(..., colour="keep" | "srgb") against LittleCMS's own conversion of
the source, resized to the thumbnail's size."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from thumbnailer.picture import colour
from thumbnailer.picture.imaging import make_thumbnails

from .. import profiles
from ..images import encode
from .test_colour import decoded, difference, reference

SIZE = (512, 384)  # a 256 thumbnail is this decoded at half scale, with no resampling of its own


def thumbnail(data: bytes, policy: str, requested_format: str = "png") -> Image.Image:
    """The 256 thumbnail, decoded: PNG unless asked, so the comparison sees colour, not JPEG's encoding error."""
    result = make_thumbnails(io.BytesIO(data), [256], colour=policy, requested_format=requested_format, quality=95)
    return decoded(result.thumbnails[0].data)


def expected(data: bytes, icc: bytes, size: tuple[int, int]) -> Image.Image:
    return reference(decoded(data), icc).resize(size, Image.Resampling.BOX)


@pytest.mark.parametrize("policy", colour.POLICIES)
def test_a_cmyk_jpeg_thumbnail_has_the_colours_of_its_profile(policy):
    icc = profiles.uncoated_cmyk()
    data = encode(profiles.colourful("CMYK", SIZE), "JPEG", quality=95, icc_profile=icc)
    thumb = thumbnail(data, policy)
    assert thumb.mode == "RGB" and thumb.info.get("icc_profile") is None
    assert thumbnail(data, policy, "jpeg").info.get("icc_profile") is None
    assert difference(thumb, expected(data, icc, thumb.size)) <= 2
    assert difference(thumb, decoded(data).convert("RGB").resize(thumb.size, Image.Resampling.BOX)) > 8


def test_a_cmyk_jpeg_without_a_profile_thumbnail_goes_through_the_fallback_profile():
    data = encode(profiles.colourful("CMYK", SIZE), "JPEG", quality=95)
    thumb = thumbnail(data, "keep")
    assert difference(thumb, expected(data, colour.fallback_cmyk_profile(), thumb.size)) <= 2


def test_a_p3_thumbnail_keeps_its_profile_under_keep_and_is_srgb_under_srgb():
    icc = profiles.display_p3()
    data = encode(profiles.colourful("RGB", SIZE), "JPEG", quality=95, icc_profile=icc)
    for fmt in ("jpeg", "png"):
        kept = thumbnail(data, "keep", fmt)
        assert kept.info.get("icc_profile") == icc, fmt
        converted = thumbnail(data, "srgb", fmt)
        assert converted.info.get("icc_profile") is None, fmt
    assert difference(kept, decoded(data).resize(kept.size, Image.Resampling.BOX)) <= 2  # P3 pixels, as they were
    assert difference(converted, expected(data, icc, converted.size)) <= 2


def test_an_adobe_rgb_png_thumbnail_under_srgb_is_srgb_without_a_profile():
    icc = profiles.adobe_rgb()
    data = encode(profiles.colourful("RGB", SIZE), "PNG", icc_profile=icc)
    thumb = thumbnail(data, "srgb")
    assert thumb.format == "PNG" and thumb.info.get("icc_profile") is None
    assert difference(thumb.convert("RGB"), expected(data, icc, thumb.size)) <= 2


def test_a_picture_that_fits_under_srgb_is_not_its_source_bytes():
    """A tagged picture already small enough is still converted under srgb: the source's bytes, which carry its
    profile, cannot stand in for the thumbnail."""
    icc = profiles.display_p3()
    data = encode(profiles.colourful("RGB", (200, 150)), "PNG", icc_profile=icc)
    thumb = thumbnail(data, "srgb")
    assert thumb.size == (200, 150) and thumb.info.get("icc_profile") is None
    assert difference(thumb.convert("RGB"), reference(decoded(data), icc)) <= 2


def test_a_broken_profile_is_said_in_the_notes_and_the_thumbnail_is_made():
    data = encode(profiles.colourful("CMYK", SIZE), "JPEG", quality=95, icc_profile=b"not a profile" * 20)
    result = make_thumbnails(io.BytesIO(data), [256], colour="keep")
    assert any("colour profile not used" in note for note in result.notes)
    assert decoded(result.thumbnails[0].data).mode == "RGB"
