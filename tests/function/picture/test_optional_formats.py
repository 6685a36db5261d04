"""HEIF (iPhones' camera format) and AVIF: read when EXTRA_FORMATS names them, upright and with their colour
profile, written as JPEG by auto (or AVIF when asked). Made here: HEIF with pillow-heif's encoder (the layer
only carries pi-heif, its decoder), AVIF with Pillow's own plugin."""

from __future__ import annotations

import io

import pillow_heif
import pytest
from PIL import Image, ImageCms

from thumbnailer.errors import ImageRejected
from thumbnailer.picture.imaging import make_thumbnails

from ..images import exif_with_gps, photo

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def heif(im: Image.Image, orientation: int) -> bytes:
    buf = io.BytesIO()
    pillow_heif.from_pillow(im).save(buf, quality=90, exif=exif_with_gps(orientation), icc_profile=SRGB)
    return buf.getvalue()


def avif(im: Image.Image, orientation: int) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "AVIF", quality=90, exif=exif_with_gps(orientation), icc_profile=SRGB)
    return buf.getvalue()


def red_corner(im: Image.Image) -> tuple[int, int]:
    """Where the picture's red marker is once shown: (0, 0) is the top-left quarter."""
    rgb = im.convert("RGB")
    for cx, cy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        r, g, b = rgb.getpixel((cx * (rgb.width - 1) if cx else 2, cy * (rgb.height - 1) if cy else 2))
        if r > 200 and g < 80 and b < 80:
            return cx, cy
    raise AssertionError("no red corner")


@pytest.mark.parametrize("make, fmt", [(heif, "HEIF"), (avif, "AVIF")])
@pytest.mark.parametrize("orientation, shown", [(1, (600, 400)), (6, (400, 600)), (3, (600, 400))])
def test_heif_and_avif_are_read_upright_with_their_profile_and_written_as_jpeg(make, fmt, orientation, shown):
    data = make(photo(600, 400), orientation)
    result = make_thumbnails(io.BytesIO(data), [300], extra_formats=("heif", "avif"))
    [thumb] = result.thumbnails
    assert result.source_format == fmt and (result.source_width, result.source_height) == shown
    out = Image.open(io.BytesIO(thumb.data))
    assert out.format == "JPEG" and thumb.format.name == "jpeg" and out.size == (shown[0] // 2, shown[1] // 2)
    assert out.info.get("icc_profile") == SRGB, "the colour profile is kept"
    assert "exif" not in out.info, "EXIF and GPS never reach a thumbnail"
    assert red_corner(out) == {1: (0, 0), 6: (1, 0), 3: (1, 1)}[orientation], "shown as the camera meant"


def test_avif_is_written_as_avif_when_asked():
    data = avif(photo(600, 400), 1)
    [thumb] = make_thumbnails(io.BytesIO(data), [300], requested_format="avif", extra_formats=("avif",)).thumbnails
    assert Image.open(io.BytesIO(thumb.data)).format == "AVIF" and thumb.format.content_type == "image/avif"


@pytest.mark.parametrize("make", [heif, avif])
def test_without_extra_formats_they_are_refused_as_not_supported(make):
    with pytest.raises(ImageRejected, match=r"not an image in a supported format \(JPEG, PNG, WebP, GIF\)"):
        make_thumbnails(io.BytesIO(make(photo(60, 40), 1)), [30])
