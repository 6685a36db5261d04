"""Colour management (picture/colour.py): each conversion against LittleCMS's own conversion of the same source."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from thumbnailer.picture import colour
from thumbnailer.picture.colour import managed

from .. import profiles
from ..images import encode

FUNCTION = Path(__file__).resolve().parents[3] / "function"
SRGB = ImageCms.createProfile("sRGB")


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def reference(im: Image.Image, icc: bytes) -> Image.Image:
    """LittleCMS converting ``im`` from ``icc`` to sRGB, at the profile's default intent (colour.py's choice)."""
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    intent = ImageCms.Intent(ImageCms.getDefaultIntent(source))
    out = ImageCms.profileToProfile(im, source, SRGB, renderingIntent=intent, outputMode="RGB")
    assert out is not None
    return out


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference, of 255."""
    assert a.size == b.size and a.mode == b.mode, (a.size, a.mode, b.size, b.mode)
    return float(np.abs(np.asarray(a, float) - np.asarray(b, float)).mean())


def cmyk_jpeg(icc: bytes | None = None) -> bytes:
    return encode(profiles.colourful("CMYK"), "JPEG", quality=95, **({"icc_profile": icc} if icc else {}))


@pytest.mark.parametrize("policy", colour.POLICIES)
def test_a_cmyk_jpeg_goes_through_its_embedded_profile(policy):
    icc = profiles.uncoated_cmyk()
    source = decoded(cmyk_jpeg(icc))
    result = managed(source, policy)
    expected = reference(source, icc)
    assert result.image.mode == "RGB" and result.icc is None and result.converted and not result.note
    assert difference(result.image, expected) <= 2
    assert difference(source.convert("RGB"), expected) > 8, (
        "the naive conversion must be far off, or this proves nothing"
    )


@pytest.mark.parametrize("policy", colour.POLICIES)
def test_a_cmyk_jpeg_without_a_profile_goes_through_the_fallback_profile(policy):
    source = decoded(cmyk_jpeg())
    result = managed(source, policy)
    expected = reference(source, colour.fallback_cmyk_profile())
    assert result.image.mode == "RGB" and result.icc is None and result.converted and not result.note
    assert difference(result.image, expected) <= 2
    assert difference(source.convert("RGB"), expected) > 8


def test_the_fallback_profile_prints_like_a_coated_press():
    """Solid inks through the fallback profile land near what Photoshop shows for Coated FOGRA39 (within 12)."""
    fogra39 = {  # CMYK -> sRGB, Photoshop's Coated FOGRA39, relative colorimetric
        (255, 0, 0, 0): (0, 158, 224),
        (0, 255, 0, 0): (229, 0, 125),
        (0, 0, 255, 0): (255, 237, 0),
        (0, 0, 0, 255): (35, 31, 32),
        (0, 0, 0, 0): (255, 255, 255),
    }
    for cmyk, rgb in fogra39.items():
        got = managed(Image.new("CMYK", (1, 1), cmyk), "keep").image.getpixel((0, 0))
        assert isinstance(got, tuple)
        assert max(abs(g - e) for g, e in zip(got, rgb, strict=True)) <= 12, (cmyk, got, rgb)
    assert len(colour.fallback_cmyk_profile()) < 100_000


def test_the_intent_is_the_one_the_profile_header_names():
    """A profile whose header says relative colorimetric is converted through its A2B1 table, not A2B0."""
    icc = profiles.uncoated_cmyk(intent=1)
    source = decoded(cmyk_jpeg(icc))
    result = managed(source, "srgb")
    perceptual = ImageCms.profileToProfile(
        source,
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        SRGB,
        renderingIntent=ImageCms.Intent.PERCEPTUAL,
        outputMode="RGB",
    )
    assert perceptual is not None
    assert difference(result.image, reference(source, icc)) <= 2
    assert difference(result.image, perceptual) > 8


@pytest.mark.parametrize("kind", ["inverted CMYK", "YCCK"])
@pytest.mark.parametrize("policy", colour.POLICIES)
def test_adobe_inverted_cmyk_and_ycck_jpegs_are_converted_through_their_profile(kind, policy):
    icc = profiles.uncoated_cmyk()
    original = profiles.colourful("CMYK")
    make = profiles.inverted_cmyk_jpeg if kind == "inverted CMYK" else profiles.ycck_jpeg
    data = make(original, icc)
    assert data[2:4] == b"\xff\xee" and data[6:11] == b"Adobe"  # an Adobe APP14 segment, as Photoshop writes
    source = decoded(data)
    assert source.mode == "CMYK" and source.info["adobe_transform"] == (0 if kind == "inverted CMYK" else 2)
    assert difference(source, original) <= 2, "the decoder did not undo Adobe's inversion"
    result = managed(source, policy)
    assert difference(result.image, reference(original, icc)) <= 2
    assert result.image.mode == "RGB" and result.icc is None and result.converted


@pytest.mark.parametrize("icc", [profiles.display_p3(), profiles.adobe_rgb()], ids=["Display P3", "Adobe RGB"])
def test_wide_gamut_rgb_is_converted_to_srgb_under_srgb(icc):
    source = decoded(encode(profiles.colourful("RGB"), "JPEG", quality=95, icc_profile=icc))
    result = managed(source, "srgb")
    expected = reference(source, icc)
    assert result.icc is None and result.converted and result.image.mode == "RGB" and not result.note
    assert difference(result.image, expected) <= 2
    assert difference(source, expected) > 4, "the source's own pixels must differ from sRGB, or this proves nothing"


def test_under_keep_a_p3_picture_keeps_its_pixels_and_its_profile():
    icc = profiles.display_p3()
    source = decoded(encode(profiles.colourful("RGB"), "JPEG", quality=95, icc_profile=icc))
    kept = managed(source, "keep")
    assert kept.image is source and kept.icc == icc and not kept.converted and not kept.note
    converted = managed(source, "srgb")
    assert converted.icc is None and converted.converted and converted.image is not source


@pytest.mark.parametrize("policy", colour.POLICIES)
def test_an_untagged_rgb_picture_is_returned_as_it_is(policy):
    source = profiles.colourful("RGB")
    result = managed(source, policy)
    assert result.image is source and result.icc is None and not result.converted and not result.note


def test_transparency_is_kept_through_a_conversion():
    icc = profiles.display_p3()
    rgba = profiles.colourful("RGB").convert("RGBA")
    alpha = Image.linear_gradient("L").resize(rgba.size)
    rgba.putalpha(alpha)
    source = decoded(encode(rgba, "PNG", icc_profile=icc))
    result = managed(source, "srgb")
    assert result.image.mode == "RGBA" and result.converted
    assert difference(result.image.getchannel("A"), alpha) == 0
    assert difference(result.image.convert("RGB"), reference(source.convert("RGB"), icc)) <= 2


def test_a_grey_picture_under_srgb_stays_grey_with_srgb_tones():
    icc = profiles.grey_gamma()  # gamma 1.8: its mid-greys are lighter in sRGB
    grey = Image.linear_gradient("L").resize((256, 64))
    source = decoded(encode(grey, "PNG", icc_profile=icc))
    result = managed(source, "srgb")
    assert result.image.mode == "L" and result.icc is None and result.converted
    expected = reference(source, icc)  # the same grey through sRGB itself, as RGB
    assert difference(expected.getchannel("R"), expected.getchannel("B")) <= 1
    expected = expected.getchannel("G")
    assert difference(result.image, expected) <= 1
    assert difference(source, expected) > 4
    alpha = managed(decoded(encode(grey.convert("LA"), "PNG", icc_profile=icc)), "srgb")
    assert alpha.image.mode == "LA" and alpha.image.getextrema()[1] == (255, 255)


@pytest.mark.parametrize("mode", ["L", "LA"])
def test_a_grey_profile_is_converted_under_keep_too(mode):
    """WebP and AVIF thumbnails are never grey and a grey picture with alpha is written as RGBA: a grey profile
    would sit on colour pixels, where viewers ignore it, so under keep a grey picture is made sRGB grey as well."""
    icc = profiles.grey_gamma()
    grey = Image.linear_gradient("L").resize((256, 64)).convert(mode)
    source = decoded(encode(grey, "PNG", icc_profile=icc))
    kept, converted = managed(source, "keep"), managed(source, "srgb")
    assert kept.icc is None and kept.converted and kept.image.mode == mode
    assert kept.image.tobytes() == converted.image.tobytes()


@pytest.mark.parametrize("mode", ["P", "PA", "I;16", "1"])
def test_modes_littlecms_cannot_take_are_converted_under_srgb(mode):
    rgb = profiles.colourful("RGB")
    if mode == "P":
        source, icc = decoded(encode(rgb.quantize(64), "PNG", icc_profile=profiles.display_p3())), profiles.display_p3()
    elif mode == "PA":
        source, icc = rgb.convert("RGBA").convert("PA"), profiles.display_p3()
        source.info["icc_profile"] = icc
    elif mode == "I;16":
        wide = Image.linear_gradient("L").resize((256, 32)).convert("I").point(lambda v: v * 257).convert("I;16")
        source, icc = decoded(encode(wide, "PNG", icc_profile=profiles.grey_gamma())), profiles.grey_gamma()
    else:
        source, icc = decoded(encode(rgb.convert("1"), "PNG", icc_profile=profiles.grey_gamma())), profiles.grey_gamma()
    assert source.mode == mode
    result = managed(source, "srgb")
    assert result.converted and result.icc is None and not result.note
    if mode in ("P", "PA"):
        assert result.image.mode == ("RGBA" if mode == "PA" else "RGB")
        expected = reference(source.convert("RGB"), icc)
        assert difference(result.image.convert("RGB"), expected) <= 2
    else:
        assert result.image.mode == "L"
        eight_bit = source.convert("I").point(lambda v: v / 257).convert("L") if mode == "I;16" else source.convert("L")
        assert difference(result.image, reference(eight_bit, icc).getchannel("G")) <= 1


BROKEN = {
    "not a profile": b"this is not an ICC profile" * 10,
    "cut short": profiles.display_p3()[:400],
    "refused by LittleCMS": profiles.display_p3()[:132] + bytes(len(profiles.display_p3()) - 132),
}


@pytest.mark.parametrize("policy", colour.POLICIES)
@pytest.mark.parametrize("what", BROKEN)
def test_a_broken_profile_gives_a_note_not_an_exception(what, policy):
    source = profiles.colourful("RGB")
    source.info["icc_profile"] = BROKEN[what]
    result = managed(source, policy)
    if what == "refused by LittleCMS" and policy == "keep":  # its header is sound: kept, as LittleCMS is not loaded
        assert result.icc == BROKEN[what] and not result.note
        return
    assert "colour profile not used" in result.note and "sRGB" in result.note
    assert result.icc is None and result.image is source  # taken as sRGB: the pixels as they are

    cmyk = profiles.colourful("CMYK")
    cmyk.info["icc_profile"] = BROKEN[what]
    result = managed(cmyk, policy)
    assert "fallback CMYK profile" in result.note
    assert difference(result.image, reference(cmyk, colour.fallback_cmyk_profile())) <= 2


def test_a_profile_of_another_colour_space_is_not_used():
    cmyk = profiles.colourful("CMYK")
    cmyk.info["icc_profile"] = profiles.display_p3()
    result = managed(cmyk, "keep")
    assert "RGB profile on a CMYK picture" in result.note and result.image.mode == "RGB"
    grey = Image.new("L", (8, 8), 100)
    grey.info["icc_profile"] = profiles.display_p3()
    result = managed(grey, "keep")
    assert "RGB profile on a GRAY picture" in result.note and result.icc is None


@pytest.mark.parametrize("policy", colour.POLICIES)
def test_a_cmyk_picture_never_comes_out_cmyk(policy):
    for icc in (None, profiles.uncoated_cmyk(), b"junk"):
        cmyk = profiles.colourful("CMYK")
        if icc:
            cmyk.info["icc_profile"] = icc
        result = managed(cmyk, policy)
        assert result.image.mode == "RGB" and result.icc is None and result.converted


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="colour must be one of keep, srgb; got 'p3'"):
        managed(profiles.colourful("RGB"), "p3")


def test_transforms_are_built_once_per_profile():
    icc = profiles.adobe_rgb()
    source = profiles.colourful("RGB")
    source.info["icc_profile"] = icc
    managed(source, "srgb")
    cached = dict(colour._TRANSFORMS)
    managed(source, "srgb")
    assert colour._TRANSFORMS.keys() == cached.keys()
    assert all(colour._TRANSFORMS[key] is cached[key] for key in cached)


def test_the_default_cold_start_does_not_load_littlecms():
    """An untagged picture, or a tagged RGB one under keep, never imports PIL.ImageCms (nor LittleCMS)."""
    program = (
        "import sys\n"
        "from PIL import Image\n"
        "import thumbnailer.picture.colour as colour\n"
        "im = Image.new('RGB', (8, 8))\n"
        "assert colour.managed(im, 'keep').image is im and colour.managed(im, 'srgb').image is im\n"
        f"im.info['icc_profile'] = {profiles.display_p3()!r}\n"
        "assert colour.managed(im, 'keep').icc\n"
        "print('PIL.ImageCms' in sys.modules, 'PIL._imagingcms' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=FUNCTION, capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "False"], done.stdout + done.stderr
