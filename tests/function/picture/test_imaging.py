"""The core, with no AWS at all: bytes in, thumbnails out."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import EpsImagePlugin, Image, ImageCms, JpegImagePlugin

from thumbnailer.errors import ImageRejected
from thumbnailer.picture.imaging import make_thumbnails

from ..images import EPS, encode, jpeg, jpeg_with_orientation, photo, png_bomb


def thumbs(data: bytes, sizes=(256,), **kw):
    return make_thumbnails(io.BytesIO(data), list(sizes), **kw)


def opened(thumb) -> Image.Image:
    im = Image.open(io.BytesIO(thumb.data))
    im.load()
    return im


def test_every_size_from_one_decode_largest_edge_exact():
    result = thumbs(jpeg(4000, 3000), sizes=(1024, 512, 256))
    assert [(t.width, t.height) for t in result.thumbnails] == [(1024, 768), (512, 384), (256, 192)]
    for t in result.thumbnails:
        assert opened(t).size == (t.width, t.height)
        assert opened(t).format == "JPEG"


def test_sizes_come_back_in_the_order_asked():
    result = thumbs(jpeg(800, 600), sizes=(128, 512))
    assert [t.size.label for t in result.thumbnails] == ["128", "512"]


def test_small_images_are_never_upscaled():
    result = thumbs(jpeg(100, 50), sizes=(256, 64))
    assert [(t.width, t.height) for t in result.thumbnails] == [(100, 50), (64, 32)]


def test_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    seen = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = original(self, mode, size)
        seen.append((size, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    thumbs(jpeg(4000, 3000), sizes=(512, 256))
    assert seen == [((512, 384), (1000, 750))], "decoded at 1/4: the smallest DCT scale covering 512x384"


@pytest.mark.parametrize("orientation, shown", [(6, (192, 256)), (8, (192, 256)), (3, (256, 192))])
def test_exif_orientation_is_applied_and_metadata_dropped(orientation, shown):
    result = thumbs(jpeg_with_orientation(800, 600, orientation), sizes=(256, 128))
    first = opened(result.thumbnails[0])
    assert first.size == shown
    assert (result.source_width, result.source_height) == (shown[0] * 600 // 192, shown[1] * 600 // 192)
    assert not first.getexif(), "EXIF (orientation, GPS) must not be copied into thumbnails"
    # The red marker sits in the stored top-left corner; after turning it must be where the viewer sees it.
    red = {6: (shown[0] - 5, 5), 8: (5, shown[1] - 5), 3: (shown[0] - 5, shown[1] - 5)}[orientation]
    r, g, b = first.convert("RGB").getpixel(red)
    assert r > 200 and g < 60 and b < 60
    assert opened(result.thumbnails[1]).size == (shown[0] // 2, shown[1] // 2)


def test_cmyk_jpeg_comes_out_rgb_with_the_right_colours():
    data = encode(Image.new("CMYK", (400, 300), (0, 255, 255, 0)), "JPEG", quality=95)  # pure red in CMYK
    im = opened(thumbs(data).thumbnails[0])
    assert im.mode == "RGB"
    r, g, b = im.getpixel((100, 80))
    assert r > 200 and g < 60 and b < 60


def test_rgba_png_keeps_transparency_as_png_and_is_flattened_on_white_as_jpeg():
    im = Image.new("RGBA", (600, 400), (0, 0, 255, 0))
    im.paste((0, 0, 255, 255), (0, 0, 300, 400))
    data = encode(im, "PNG")
    png = opened(thumbs(data).thumbnails[0])
    assert png.format == "PNG" and png.mode == "RGBA"
    assert png.getpixel((250, 10))[3] == 0 and png.getpixel((5, 10))[3] == 255
    flat = opened(thumbs(data, requested_format="jpeg").thumbnails[0])
    assert flat.mode == "RGB"
    assert min(flat.getpixel((250, 10))) > 240, "transparent areas become white, not black"


def test_16_bit_grey_keeps_its_trns_transparent_level():
    im = Image.new("I;16", (200, 100), 40_000)
    im.paste(Image.new("I;16", (100, 100), 1234), (0, 0))  # (pasting the int 1234 itself writes 0xD2D2)
    data = encode(im, "PNG", transparency=1234)
    out = opened(thumbs(data, sizes=(100,)).thumbnails[0]).convert("RGBA")
    assert out.getpixel((10, 10))[3] == 0, "the tRNS level is transparent"
    grey, _, _, alpha = out.getpixel((90, 40))
    assert alpha == 255 and abs(grey - 40_000 // 257) <= 1, "the rest opaque, scaled to 8 bits"


def test_16_bit_png_keeps_its_tonal_range():
    im = Image.linear_gradient("L").resize((512, 512)).convert("I").point(lambda v: v * 257)
    data = encode(im.convert("I;16"), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    out = opened(thumbs(data).thumbnails[0])
    assert out.mode == "L"
    low, high = out.getextrema()
    assert low < 10 and high > 245, "16-bit values are scaled, not clipped to white"


def test_palette_and_greyscale_alpha_inputs():
    palette = photo(300, 200).convert("P", palette=Image.Palette.ADAPTIVE)
    out = opened(thumbs(encode(palette, "PNG")).thumbnails[0])
    assert out.mode in ("RGB", "P") and "transparency" not in out.info, "opaque: no alpha channel added"
    la = Image.new("LA", (300, 200), (128, 100))
    out = opened(thumbs(encode(la, "PNG")).thumbnails[0])
    grey, _, _, alpha = out.convert("RGBA").getpixel((10, 10))
    assert abs(grey - 128) <= 1 and alpha == 100, "grey and its alpha kept"


def test_still_gif_becomes_png():
    result = thumbs(encode(Image.new("P", (200, 100), 10), "GIF"), sizes=(50,))
    out = opened(result.thumbnails[0])
    assert result.source_format == "GIF" and out.format == "PNG" and out.size == (50, 25)
    assert result.thumbnails[0].format.content_type == "image/png"


def test_webp_stays_webp():
    out = opened(thumbs(encode(photo(800, 400), "WEBP"), sizes=(100,)).thumbnails[0])
    assert out.format == "WEBP" and out.size == (100, 50)


@pytest.mark.parametrize("fmt, pillow", [("png", "PNG"), ("webp", "WEBP"), ("jpeg", "JPEG")])
def test_explicit_output_format(fmt, pillow):
    assert opened(thumbs(jpeg(300, 300), requested_format=fmt).thumbnails[0]).format == pillow


def test_icc_profile_is_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(photo(300, 200), "JPEG", icc_profile=profile)
    assert opened(thumbs(data).thumbnails[0]).info.get("icc_profile") == profile


def test_truncated_jpeg_is_rejected():
    data = jpeg(800, 600)
    with pytest.raises(ImageRejected, match="truncated|corrupt"):
        thumbs(data[: len(data) // 2])


def test_text_named_jpg_is_rejected():
    with pytest.raises(ImageRejected, match="not an image"):
        thumbs(b"hello, I am a text file\n" * 10)


def test_eps_is_never_parsed(monkeypatch):
    def boom(self):
        raise AssertionError("the EPS decoder must never run")

    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", boom)
    with pytest.raises(ImageRejected, match="not an image"):
        thumbs(EPS)


def test_decompression_bomb_is_refused_before_decoding():
    data = png_bomb()
    assert len(data) < 1000
    with pytest.raises(ImageRejected, match="pixels"):
        thumbs(data)


def test_max_pixels_setting_refuses_before_decoding(monkeypatch):
    def no_load(self):
        raise AssertionError("must not decode")

    data = jpeg(200, 100)
    monkeypatch.setattr(Image.Image, "load", no_load)
    with pytest.raises(ImageRejected, match="20000 pixels, more than MAX_IMAGE_PIXELS=19999"):
        thumbs(data, max_pixels=19_999)


def test_output_is_deterministic():
    data = jpeg(1200, 900)
    first = [t.data for t in thumbs(data, sizes=(512, 128)).thumbnails]
    assert first == [t.data for t in thumbs(data, sizes=(512, 128)).thumbnails]


def test_multi_picture_jpeg_is_thumbnailed_from_its_primary_picture():
    """Phones' HDR gain-map JPEGs and 3D cameras write an MPF index: Pillow reports such a file as MPO."""
    primary, second = Image.new("RGB", (1200, 800), (200, 40, 40)), Image.new("RGB", (600, 400), (20, 20, 220))
    buf = io.BytesIO()
    primary.save(buf, "MPO", save_all=True, append_images=[second], quality=90)
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"
    result = make_thumbnails(io.BytesIO(buf.getvalue()), [300])
    [thumb] = result.thumbnails
    assert result.source_format == "JPEG" and thumb.format.name == "jpeg", "written as the JPEG it is"
    shown = Image.open(io.BytesIO(thumb.data))
    assert shown.size == (300, 200) and shown.format == "JPEG"
    red, green, blue = shown.convert("RGB").getpixel((150, 100))
    assert red > 150 and blue < 90, "the primary picture, not the second one"


def test_a_png_corrupt_in_its_pixels_is_refused_not_half_drawn():
    """Reading a PNG's EXIF decodes it; an error there must refuse the picture, not leave it two-thirds drawn."""
    im = Image.linear_gradient("L").resize((600, 600)).convert("RGB")
    data = bytearray(encode(im, "PNG", compress_level=1))
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    bad = start + int(length * 0.66)
    data[bad : bad + 64] = random.Random(3).randbytes(64)  # damage the pixels two thirds of the way down...
    crc = zlib.crc32(bytes(data[start - 4 : start + length])) & 0xFFFFFFFF
    data[start + length : start + length + 4] = struct.pack(">I", crc)  # ...behind a valid chunk checksum
    with pytest.raises(ImageRejected, match="broken data stream"):
        make_thumbnails(io.BytesIO(bytes(data)), [300])
