"""How thumbnails are encoded: Huffman-optimised JPEG, lossless palette PNG, and never bigger than a source that
already fits its size, without the source's metadata either way."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from thumbnailer.picture import encoding
from thumbnailer.picture.encoding import Encoding, encode
from thumbnailer.picture.formats import OUTPUTS
from thumbnailer.picture.imaging import make_thumbnails

from ..images import encode as save
from ..images import exif_with_gps, photo


def badge(size: tuple[int, int] = (800, 800)) -> Image.Image:
    """A design tool's kind of PNG: few flat colours, transparent corners, sharp edges."""
    im = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    draw.ellipse((20, 20, size[0] - 20, size[1] - 20), fill=(30, 120, 200, 255), outline=(255, 255, 255, 255), width=12)
    draw.rectangle((size[0] // 3, size[1] // 3, 2 * size[0] // 3, 2 * size[1] // 3), fill=(250, 200, 40, 255))
    return im


def test_a_badge_png_that_fits_comes_out_no_bigger_and_the_same():
    source = save(badge(), "PNG", compress_level=9, optimize=True)
    [thumb] = make_thumbnails(io.BytesIO(source), [1024]).thumbnails
    assert len(thumb.data) <= len(source)
    out = Image.open(io.BytesIO(thumb.data)).convert("RGBA")
    assert out.tobytes() == badge().tobytes(), "every pixel and its alpha unchanged"


@pytest.mark.parametrize("fmt, options", [("JPEG", {"quality": 70}), ("PNG", {}), ("WEBP", {"quality": 60})])
def test_a_photo_that_fits_is_never_bigger_and_loses_its_exif(fmt, options):
    source = save(photo(400, 300), fmt, exif=exif_with_gps(), **options)
    [thumb] = make_thumbnails(io.BytesIO(source), [512], quality=95).thumbnails
    assert len(thumb.data) <= len(source), "quality 95 would make it bigger: the source's own pixels are kept"
    out = Image.open(io.BytesIO(thumb.data))
    assert out.size == (400, 300) and not out.getexif(), "no EXIF (and so no GPS) in the thumbnail"


def test_a_rotated_source_that_fits_is_re_encoded_upright():
    source = save(photo(300, 200), "JPEG", quality=60, exif=exif_with_gps(orientation=6))
    [thumb] = make_thumbnails(io.BytesIO(source), [512]).thumbnails
    out = Image.open(io.BytesIO(thumb.data))
    assert out.size == (200, 300) and not out.getexif(), "its bytes could not be kept: EXIF said which way is up"


def test_jpeg_huffman_tables_are_optimised():
    im = photo(512, 384)
    plain = io.BytesIO()
    im.save(plain, "JPEG", quality=85)
    optimised = encode(im, Encoding(OUTPUTS["jpeg"]), None)
    assert len(optimised) < len(plain.getvalue())
    assert Image.open(io.BytesIO(optimised)).tobytes() == Image.open(plain).tobytes(), "same pixels"


def test_few_colours_become_a_palette_png_only_when_lossless():
    flat = badge((200, 200))
    data = encode(flat, Encoding(OUTPUTS["png"]), None)
    out = Image.open(io.BytesIO(data))
    assert out.mode == "P" and out.convert("RGBA").tobytes() == flat.tobytes()
    many = photo(200, 200)  # a gradient: thousands of colours
    assert Image.open(io.BytesIO(encode(many, Encoding(OUTPUTS["png"]), None))).mode == "RGB"


def test_a_cmyk_jpeg_that_fits_is_re_encoded_as_rgb_not_kept():
    """Its own bytes would be smaller, but browsers disagree on CMYK: the thumbnail is the RGB re-encoding."""
    source = save(photo(200, 100).convert("CMYK"), "JPEG", quality=50)
    [thumb] = make_thumbnails(io.BytesIO(source), [512]).thumbnails
    assert Image.open(io.BytesIO(thumb.data)).mode == "RGB"


def _nclx(avif: bytes) -> list[tuple[int, int, int, bool]]:
    """Every ``colr`` box of type ``nclx`` in an AVIF: (primaries, transfer, matrix, full range). A still picture
    has one (its item's); a sequence one more, in its track's sample entry, which is the one browsers read for it."""
    found, at = [], avif.find(b"colrnclx")
    while at >= 0:
        body = avif[at + 8 : at + 15]
        primaries, transfer, matrix = (int.from_bytes(body[i : i + 2]) for i in (0, 2, 4))
        flags = body[6]
        found.append((primaries, transfer, matrix, bool(flags & 0x80)))
        at = avif.find(b"colrnclx", at + 1)
    return found


@pytest.mark.parametrize("animated", [False, True], ids=["still", "animated"])
@pytest.mark.parametrize("alpha", [False, True], ids=["opaque", "alpha"])
def test_every_avif_says_limited_range_and_the_bt601_matrix(animated, alpha):
    """Still or animated, with alpha or not: the same signalling, the one Chromium and Firefox read alike
    (tests/browser). Pillow's default, full range, is shown too contrasted by Chromium in a sequence."""
    mode = "RGBA" if alpha else "RGB"
    frames = [photo(64, 48, mode).rotate(180 * i) for i in range(3 if animated else 1)]
    how = Encoding(OUTPUTS["avif"])
    data = encoding.encode_frames(frames, [100] * 3, 0, how) if animated else encode(frames[0], how, None)
    described = _nclx(data)
    assert len(described) == (2 if animated else 1), described
    assert set(described) == {(1, 13, 6, False)}, "BT.709 primaries, sRGB's curve, BT.601 matrix, limited range"


def test_a_profile_not_used_is_written_by_no_format():
    """Pillow's PNG and AVIF writers take the picture's own profile when told none: a source's unusable profile
    must not reach a thumbnail said to be written without one."""
    source = save(photo(512, 384), "PNG", icc_profile=b"not an ICC profile" * 8)
    for size in (256, 1024):  # scaled, and shown at its own size
        result = make_thumbnails(io.BytesIO(source), [size], formats=("jpeg", "png", "webp", "avif"))
        assert result.notes and "colour profile not used" in result.notes[0]
        for thumb in result.thumbnails:
            assert not Image.open(io.BytesIO(thumb.data)).info.get("icc_profile"), (size, thumb.format.name)
