"""Images made by the tests, so the corpus explains itself."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def photo(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A gradient with a marker in the top-left corner, so orientation and colour can be checked."""
    grad = Image.linear_gradient("L")
    im = grad.resize((width, height))
    across = grad.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    rgb = Image.merge("RGB", (im, across, Image.new("L", (width, height), 128)))
    marker = Image.new("RGB", (max(1, width // 4), max(1, height // 4)), (255, 0, 0))
    rgb.paste(marker, (0, 0))
    return rgb.convert(mode) if mode != "RGB" else rgb


def encode(im: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **options)
    return buf.getvalue()


def jpeg(width: int = 640, height: int = 480, **options) -> bytes:
    return encode(photo(width, height), "JPEG", quality=90, **options)


def jpeg_with_orientation(width: int, height: int, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {2: (37.0, 30.0, 0.0)}  # a GPS block, which must not reach a thumbnail
    return encode(photo(width, height), "JPEG", exif=exif.tobytes())


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid PNG header announcing a huge picture, in a few hundred bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    )


EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke\n%%EOF\n"


def detailed_subject(width: int, height: int, at: tuple[int, int], side: int) -> Image.Image:
    """A flat, slightly graded grey background with one small square of fine red detail (noise) at ``at``."""
    im = Image.linear_gradient("L").resize((width, height)).point(lambda v: 90 + v // 16).convert("RGB")
    noise = Image.effect_noise((side, side), 100)
    black = Image.new("L", (side, side), 0)
    im.paste(Image.merge("RGB", (noise.point(lambda v: 128 + v // 2), black, black)), at)
    return im


def animation(fmt: str, frames: int = 4, size: tuple[int, int] = (200, 100), **options) -> tuple[bytes, list[int]]:
    """An animation whose frames all differ (so no encoder merges them), with distinct durations."""
    pictures = [Image.new("RGB", size, (40 * i, 255 - 40 * i, 90)) for i in range(frames)]
    for index, picture in enumerate(pictures):
        picture.paste((255, 255, 255), (index * 10, 10, index * 10 + 20, 30))
    durations = [100 + 20 * i for i in range(frames)]
    buf = io.BytesIO()
    pictures[0].save(buf, format=fmt, save_all=True, append_images=pictures[1:], duration=durations, **options)
    return buf.getvalue(), durations


def exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {2: (37.0, 30.0, 0.0)}
    return exif.tobytes()
