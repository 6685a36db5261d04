"""Pictures to bytes: each output format with its options, animations, and the smallest encoding of a picture that
already fits its size (never bigger than its source)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops

from . import metadata
from .formats import OutputFormat

# zlib level for PNG thumbnails: on photographic content within ~10% of level 6's size in a quarter of the time.
PNG_COMPRESS_LEVEL = 3
WEBP_METHOD = 4  # libwebp's default speed/size trade-off
AVIF_SPEED = 8  # libavif's 0 (slowest, smallest) to 10; 8 encodes a thumbnail in milliseconds
# Every AVIF, still or animated, says the same about its pixels: limited ("video") range, BT.601 matrix (Pillow's
# only one), BT.709 primaries and sRGB's tone curve or the ICC profile. Pillow writes full range unless told: a
# full-range AVIF sequence is shown too contrasted by Chromium (read as limited), right by Firefox; limited range is
# read the same way by both, in stills and sequences alike (tests/browser, docs/browsers.md).
AVIF_RANGE = "limited"
_PALETTE_COLOURS = 256


@dataclass(frozen=True)
class Encoding:
    """How a thumbnail is written: its format and that format's options."""

    format: OutputFormat
    quality: int = 85  # JPEG, WebP and AVIF
    progressive: bool = False  # JPEG: progressive scans (JPEG_PROGRESSIVE) instead of one baseline scan


def encode(im: Image.Image, how: Encoding, icc: bytes | None) -> bytes:
    """One still picture (L, RGB or RGBA). No exif= is ever passed: EXIF and GPS metadata never reach a thumbnail."""
    return _save(_prepared(im, how.format), how.format, _options(how, icc))


def _prepared(im: Image.Image, fmt: OutputFormat) -> Image.Image:
    """Flattened for a format without alpha; for PNG, a palette when that is lossless."""
    im = _flatten(im, fmt)
    return _palette_if_lossless(im) if fmt.pillow == "PNG" else im


def _save(im: Image.Image, fmt: OutputFormat, options: dict[str, object]) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt.pillow, **options)
    return buf.getvalue()


def encode_frames(
    frames: Sequence[Image.Image], durations: Sequence[int], loop: int, how: Encoding, icc: bytes | None = None
) -> bytes:
    """An animation (RGBA frames, each shown ``durations`` ms; ``loop`` 0: for ever) as animated WebP or PNG."""
    buf = io.BytesIO()
    first, *rest = frames
    options = _options(how, icc)
    first.save(
        buf, format=how.format.pillow, save_all=True, append_images=rest, duration=list(durations), loop=loop, **options
    )
    return buf.getvalue()


def smallest(im: Image.Image, how: Encoding, icc: bytes | None, source: bytes, native: bool) -> bytes:
    """The thumbnail of a picture shown at its own size, never bigger than ``source`` when that can be helped.

    The smallest of: its usual encoding; the source's own bytes without their metadata (``native``: the source is
    in this format and shown upright as stored; lossless, so it wins a tie); and, when both are still bigger than
    the source, for PNG its pixels at zlib's highest effort."""
    fmt = how.format
    prepared = _prepared(im, fmt)  # the palette check once, for both PNG encodings
    candidates = [_save(prepared, fmt, _options(how, icc))]
    if native and (stripped := metadata.strip(source, fmt.pillow)) is not None:
        candidates.insert(0, stripped)
    if fmt.pillow == "PNG" and min(map(len, candidates)) > len(source):
        candidates.append(_save(prepared, fmt, {"optimize": True, "icc_profile": icc}))
    return min(candidates, key=len)


def _options(how: Encoding, icc: bytes | None) -> dict[str, object]:
    """Always names the profile, None for none: Pillow's PNG and AVIF writers otherwise take the picture's own
    ``info["icc_profile"]``, which may be the source's, unusable or converted from."""
    fmt, quality = how.format, how.quality
    options: dict[str, object] = {"icc_profile": icc}
    if fmt.pillow == "JPEG":
        options.update(quality=quality, optimize=True)  # Huffman tables made for the picture: smaller, same pixels
        if how.progressive:
            options["progressive"] = True
    elif fmt.pillow == "WEBP":
        options.update(quality=quality, method=WEBP_METHOD)
    elif fmt.pillow == "AVIF":
        options.update(quality=quality, speed=AVIF_SPEED, range=AVIF_RANGE)
    else:
        options.update(compress_level=PNG_COMPRESS_LEVEL)
    return options


def _flatten(im: Image.Image, fmt: OutputFormat) -> Image.Image:
    """A transparent picture on white, for formats without alpha (JPEG)."""
    if im.mode == "RGBA" and not fmt.alpha:
        flat = Image.new("RGB", im.size, "white")
        flat.paste(im, mask=im.getchannel("A"))
        return flat
    return im


def _palette_if_lossless(im: Image.Image) -> Image.Image:
    """A picture of at most 256 colours as a palette PNG (often a fraction of the size), only when every pixel
    comes back exactly; anything else unchanged."""
    if im.mode not in ("RGB", "RGBA") or im.getcolors(_PALETTE_COLOURS) is None:
        return im
    method = Image.Quantize.FASTOCTREE if im.mode == "RGBA" else Image.Quantize.MEDIANCUT
    palette = im.quantize(_PALETTE_COLOURS, method=method, dither=Image.Dither.NONE)
    palette.info.pop("transparency", None)  # a stale value from the source; the palette's own alpha is the tRNS
    if ImageChops.difference(palette.convert(im.mode), im).getbbox(alpha_only=False) is None:
        return palette
    return im
