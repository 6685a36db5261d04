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
