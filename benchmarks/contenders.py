"""The ways of making thumbnails that are measured. Each takes a file and sizes and returns encoded thumbnails,
all in the same output format, quality and compression effort, so only the way of getting there differs."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("VIPS_CONCURRENCY", "1")  # one thread, like Lambda's single vCPU up to 1769 MB

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "function"))

import pyvips
from PIL import Image

from thumbnailer.picture.encoding import PNG_COMPRESS_LEVEL, WEBP_METHOD
from thumbnailer.picture.formats import input_formats, output_format
from thumbnailer.picture.imaging import fit, make_thumbnails

pyvips.cache_set_max(0)  # no operation cache: every call decodes, as a fresh invocation would
EXTRA = ("heif", "avif")
input_formats(EXTRA)  # registers the HEIF opener, so every contender's Pillow reads HEIC

QUALITY = 85
Contender = Callable[[Path, Sequence[int]], list[bytes]]


def _pillow_save(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        im.convert("RGB").save(buf, "JPEG", quality=QUALITY, optimize=True)
    elif fmt == "WEBP":
        im.save(buf, "WEBP", quality=QUALITY, method=WEBP_METHOD)
    else:
        im.save(buf, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def _pillow_output(path: Path) -> str:
    """The format the project writes for this input (auto), which every contender writes too."""
    with Image.open(path) as im:
        source = "JPEG" if im.format == "MPO" else im.format or ""
        animated = source in ("GIF", "WEBP", "PNG") and getattr(im, "is_animated", False)
        return output_format(source, "auto", animated=animated).pillow


def project(path: Path, sizes: Sequence[int]) -> list[bytes]:
    """This project's core: one decode (DCT-scaled for JPEG), each size from the previous one."""
    # memory_mb: the function at 1,769 MB, one vCPU (cpus.py), as VIPS_CONCURRENCY=1 gives libvips one thread.
    made = make_thumbnails(path, sizes, quality=QUALITY, extra_formats=EXTRA, memory_mb=1769)
    return [t.data for t in made.thumbnails]


def baseline(path: Path, sizes: Sequence[int]) -> list[bytes]:
    """The tutorial way: open, then for each size resize the full picture and save."""
    fmt = _pillow_output(path)
    with Image.open(path) as im:
        im.load()
        return [_pillow_save(im.resize(fit(*im.size, size), Image.Resampling.LANCZOS), fmt) for size in sizes]


def pillow_thumbnail(path: Path, sizes: Sequence[int]) -> list[bytes]:
    """Pillow's own Image.thumbnail, once per size (it works in place, so each size opens the file again)."""
    fmt = _pillow_output(path)
    out = []
    for size in sizes:
        with Image.open(path) as im:
            im.thumbnail((size, size))
            out.append(_pillow_save(im, fmt))
    return out


def vips(path: Path, sizes: Sequence[int]) -> list[bytes]:
    """libvips' thumbnail once per size (shrink-on-load for JPEG and WebP, EXIF orientation applied, never
    upscaled); every frame of an animation (n=-1). JPEG with optimised Huffman tables, as the project writes."""
    suffix = {
        "JPEG": f".jpg[Q={QUALITY},optimize_coding=true]",
        "WEBP": f".webp[Q={QUALITY},effort={WEBP_METHOD}]",
        "PNG": f".png[compression={PNG_COMPRESS_LEVEL}]",
    }
    fmt = _pillow_output(path)
    name = f"{path}[n=-1]" if fmt == "WEBP" and path.suffix.lower() == ".gif" else str(path)
    return [pyvips.Image.thumbnail(name, size, size="down").write_to_buffer(suffix[fmt]) for size in sizes]


def decode_floor(path: Path, sizes: Sequence[int]) -> list[bytes]:
    """Only decoding, at the scale the project decodes a JPEG at: the least any Pillow approach can spend."""
    with Image.open(path) as im:
        first = fit(*im.size, max(sizes))
        if im.format == "JPEG":
            im.draft(None, first)
        im.load()
    return []


# Inputs only some contenders handle as the project does (HEIF, AVIF, animation): the others would make a
# still of a first frame, or cannot read them.
FORMAT_CONTENDERS = ("project", "pyvips")

CONTENDERS: dict[str, Contender] = {
    "project": project,
    "baseline": baseline,
    "pillow-thumbnail": pillow_thumbnail,
    "pyvips": vips,
    "decode-floor": decode_floor,
}


def versions() -> dict[str, str]:
    import PIL

    return {
        "Pillow": PIL.__version__,
        "libvips": ".".join(str(pyvips.version(i)) for i in range(3)),
        "pyvips": pyvips.__version__,
    }
