"""The thumbnail core: image bytes in, thumbnails out. Knows nothing about AWS.

One decode serves every size: a JPEG is decoded with libjpeg's DCT scaling (``draft``) at the smallest scale
that still covers the largest size, and each smaller size is made from the previous one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageFile, UnidentifiedImageError

# zlib level for PNG thumbnails: on photographic content within ~10% of level 6's size in a quarter of the time.
PNG_COMPRESS_LEVEL = 3
WEBP_METHOD = 4  # libwebp's default speed/size trade-off

# Only these decoders are ever tried: EPS, PDF, PSD, TIFF and the rest are never parsed.
INPUT_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


@dataclass(frozen=True)
class OutputFormat:
    name: str  # as in OUTPUT_FORMAT
    pillow: str
    content_type: str
    extension: str
    alpha: bool


OUTPUTS = {
    "jpeg": OutputFormat("jpeg", "JPEG", "image/jpeg", ".jpg", alpha=False),
    "png": OutputFormat("png", "PNG", "image/png", ".png", alpha=True),
    "webp": OutputFormat("webp", "WEBP", "image/webp", ".webp", alpha=True),
}
# The input formats that can be written as themselves; OUTPUT_FORMAT=auto keeps them, and makes GIF a PNG.
NATIVE_OUTPUT = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
AUTO_OUTPUT = {**NATIVE_OUTPUT, "GIF": "png"}

# EXIF orientation -> the transposition that shows the picture upright (as in PIL.ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG = 0x0112
# The orientations whose upright picture is the stored one turned on its side.
_SWAPS = (
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
)


class ImageRejected(Exception):
    """The input can never become a thumbnail (not an image, corrupt, too large, unsupported)."""


@dataclass(frozen=True)
class Thumbnail:
    size: int  # the requested longest edge
    width: int
    height: int
    format: OutputFormat
    data: bytes


@dataclass(frozen=True)
class Result:
    source_format: str  # Pillow's name: JPEG, PNG, WEBP or GIF
    source_width: int  # as displayed, after EXIF orientation
    source_height: int
    thumbnails: list[Thumbnail]


def fit(width: int, height: int, longest_edge: int) -> tuple[int, int]:
    """The size of a picture scaled so its longest edge is ``longest_edge``; never upscaled."""
    longest = max(width, height)
    if longest <= longest_edge:
        return width, height
    scale = longest_edge / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def output_format(source_format: str, requested: str) -> OutputFormat:
    return OUTPUTS[AUTO_OUTPUT[source_format] if requested == "auto" else requested]


def make_thumbnails(
    source: str | Path | BinaryIO,
    sizes: Sequence[int],
    *,
    requested_format: str = "auto",
    quality: int = 85,
    max_pixels: int = 50_000_000,
) -> Result:
    """Decode ``source`` once and return one thumbnail per size (longest edge, pixels)."""
    if not sizes:
        raise ValueError("at least one size is required")
    try:
        im = Image.open(source, formats=INPUT_FORMATS)
    except UnidentifiedImageError:
        raise ImageRejected("not an image in a supported format (JPEG, PNG, WebP, GIF)") from None
    except Image.DecompressionBombError as exc:
        raise ImageRejected(f"too many pixels: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"corrupt image: {exc}") from None
    with im:
        width, height = im.size
        if width * height > max_pixels:
            raise ImageRejected(f"{width}x{height} is {width * height} pixels, more than MAX_IMAGE_PIXELS={max_pixels}")
        # A JPEG with an MPF index (3D cameras, phones' HDR gain maps) is "MPO" to Pillow: its first picture, the
        # one every viewer shows, is a JPEG, and that is the one decoded.
        source_format = "JPEG" if im.format == "MPO" else (im.format or "")
        fmt = output_format(source_format, requested_format)
        try:
            shown, thumbnails = _thumbnails(im, sorted(set(sizes), reverse=True), fmt, quality)
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejected(f"corrupt or truncated image: {exc}") from None
    by_size = {t.size: t for t in thumbnails}
    return Result(source_format, shown[0], shown[1], [by_size[s] for s in sizes])


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except Exception:  # a damaged EXIF block is no reason to refuse the picture
        return 1
    return value if isinstance(value, int) else 1


def _thumbnails(
    im: ImageFile.ImageFile, sizes: list[int], fmt: OutputFormat, quality: int
) -> tuple[tuple[int, int], list[Thumbnail]]:
    """The picture's upright size and its thumbnails, largest first, each made from the one before."""
    width, height = im.size
    if im.format not in ("JPEG", "MPO"):
        # Decode now, where an error refuses the picture: reading a PNG's EXIF decodes it too, and _orientation
        # forgives errors (a damaged EXIF block is no reason to refuse), which would keep a half-decoded picture.
        # A JPEG's EXIF comes before its pixels, and decoding it later lets ``draft`` scale it.
        im.load()
    upright = _ORIENTATION.get(_orientation(im))
    swap = upright in _SWAPS
    shown = (height, width) if swap else (width, height)
    targets = [fit(*shown, size) for size in sizes]  # upright sizes, largest first
    first = targets[0][::-1] if swap else targets[0]  # the largest, in the stored orientation
    if im.format in ("JPEG", "MPO") and first != (width, height):
        im.draft(None, first)  # DCT scaling: decode at 1/2, 1/4 or 1/8 when that still covers `first`
    icc = im.info.get("icc_profile") if im.mode != "CMYK" else None
    im.load()
    current = _normalise(im)
    if current.size != first:
        current = _downscale(current, first)
    if upright is not None:
        current = current.transpose(upright)
    out: list[Thumbnail] = []
    encoded: dict[tuple[int, int], bytes] = {}
    for size, target in zip(sizes, targets, strict=True):
        if current.size != target:
            current = _downscale(current, target)
        data = encoded.get(target)
        if data is None:
            data = encoded[target] = _encode(current, fmt, quality, icc)
        out.append(Thumbnail(size, current.width, current.height, fmt, data))
    return shown, out


def _downscale(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Box-reduce by the whole-number part of the factor, then bicubic for the rest (libvips' shrink + reduce).

    An exact halving (1024 -> 512 -> 256) is a box reduce alone; Pillow's resize would add a 1:1 pass.
    """
    factor = round(im.width / size[0])
    if factor >= 2 and -(-im.width // factor) == size[0] and -(-im.height // factor) == size[1]:
        return im.reduce(factor)
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.0)


def _normalise(im: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB or RGBA, keeping transparency and the tonal range."""
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale: scale 0..65535 to 0..255 (a plain convert("L") would clip to white)
        return im.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if mode == "F":
        return im.convert("L")
    if mode in ("1", "L", "RGB", "P") and im.info.get("transparency") is not None:
        return im.convert("RGBA")
    if mode in ("LA", "PA", "RGBa", "La"):
        return im.convert("RGBA")
    if mode in ("L", "RGB", "RGBA"):
        return im
    if mode == "1":
        return im.convert("L")
    return im.convert("RGB")  # CMYK (Adobe inversion handled by the decoder), YCbCr, P, RGBX, LAB, HSV


def _encode(im: Image.Image, fmt: OutputFormat, quality: int, icc: bytes | None) -> bytes:
    if im.mode == "RGBA" and not fmt.alpha:
        flat = Image.new("RGB", im.size, "white")
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    buf = io.BytesIO()
    options: dict[str, object] = {}
    if icc:
        options["icc_profile"] = icc
    if fmt.pillow == "JPEG":
        options.update(quality=quality)
    elif fmt.pillow == "WEBP":
        options.update(quality=quality, method=WEBP_METHOD)
    else:
        options.update(compress_level=PNG_COMPRESS_LEVEL)
    # No exif= is passed: EXIF and GPS metadata never reach a thumbnail.
    im.save(buf, format=fmt.pillow, **options)
    return buf.getvalue()
