"""A source's own bytes without their metadata: EXIF, XMP, IPTC, comments and text go; colour profile stays."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from thumbnailer.picture.metadata import strip

from ..images import exif_with_gps, photo

ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def saved(fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    photo(120, 80).save(buf, fmt, exif=exif_with_gps(), icc_profile=ICC, **options)
    return buf.getvalue()


@pytest.mark.parametrize(
    "fmt, options",
    [
        ("JPEG", {"quality": 80, "comment": b"shot by me"}),
        ("JPEG", {"quality": 80, "progressive": True}),
        ("PNG", {"pnginfo": PngImagePlugin.PngInfo()}),
        ("WEBP", {"quality": 80, "xmp": b"<x:xmpmeta>where</x:xmpmeta>"}),
    ],
)
def test_metadata_goes_pixels_and_profile_stay(fmt, options):
    if fmt == "PNG":
        options["pnginfo"].add_text("Author", "someone")
    source = saved(fmt, **options)
    stripped = strip(source, fmt)
    assert stripped is not None and len(stripped) < len(source)
    before, after = Image.open(io.BytesIO(source)), Image.open(io.BytesIO(stripped))
    assert after.tobytes() == before.tobytes(), "the same pixels, not re-encoded"
    assert after.info.get("icc_profile") == ICC
    assert not after.getexif() and "xmp" not in after.info and "comment" not in after.info
    assert "Author" not in after.info


def test_a_truncated_source_is_not_kept():
    source = saved("JPEG", quality=80)
    assert strip(source[: len(source) // 2], "JPEG") is None
    png = saved("PNG")
    assert strip(png[:-12], "PNG") is None, "no IEND"


def test_a_multi_picture_jpeg_keeps_only_its_first_picture():
    buf = io.BytesIO()
    photo(120, 80).save(buf, "MPO", save_all=True, append_images=[photo(60, 40)], exif=exif_with_gps())
    stripped = strip(buf.getvalue(), "JPEG")
    assert stripped is not None
    after = Image.open(io.BytesIO(stripped))
    assert after.format == "JPEG" and after.size == (120, 80)


@pytest.mark.parametrize("data", [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n\0\0", b"RIFF\0\0\0\0WEBP", b"GIF89a"])
def test_what_it_cannot_parse_it_leaves(data):
    assert [strip(data, fmt) for fmt in ("JPEG", "PNG", "WEBP", "GIF")] == [None] * 4
