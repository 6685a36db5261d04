"""Sources that are not pictures (``extra_formats`` "pdf" and "video"): each becomes one still picture, and from
there nothing changes — sizes, crops, colour, encoding, keys and headers are the picture path's (imaging.py).

This module only dispatches: which source the first bytes announce (among those switched on), the time limit of
its renderer in the containment child, and the still picture with what the metadata and catalogue say of it.
Each source type has its own module (pdf.py, video.py), imported only when its ``extra_formats`` entry is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from .sizes import Size

SOURCES = ("pdf", "video")  # the extra_formats entries that are previews rather than picture decoders
DEFAULT_SECONDS = 30.0  # containment.DECODE_SECONDS, for pictures
HEADER_BYTES = 1024  # enough for every signature tried here


@dataclass(frozen=True)
class Still:
    """A source made into one picture, its format's name, and what the metadata and catalogue say of it."""

    image: Image.Image
    format: str  # PDF, MP4, MOV or WEBM
    details: dict[str, str] = field(default_factory=dict)  # thumbnail metadata, e.g. page-count


def names(extra_formats: Sequence[str]) -> list[str]:
    """The sources switched on, as a refusal names what is read."""
    return [name for entry, name in (("pdf", "PDF"), ("video", "MP4, MOV, WebM")) if entry in extra_formats]


def kind(header: bytes, extra_formats: Sequence[str]) -> str | None:
    """``pdf`` or ``video`` when these first bytes are one and it is switched on; None for everything else."""
    if "pdf" in extra_formats:
        from . import pdf

        if pdf.is_pdf(header):
            return "pdf"
    if "video" in extra_formats:
        from . import video

        if video.container(header) is not None:
            return "video"
    return None


def seconds(header: bytes, extra_formats: Sequence[str]) -> float:
    """How long the containment child may take with this source."""
    found = kind(header, extra_formats)
    if found == "pdf":
        from . import pdf

        return pdf.RENDER_SECONDS
    if found == "video":
        from . import video

        return video.DECODE_SECONDS
    return DEFAULT_SECONDS


def prepare(extra_formats: Sequence[str]) -> None:
    """Load each preview's library before the containment child forks, as prepare_decoders does for pictures."""
    if "pdf" in extra_formats:
        from . import pdf

        pdf.prepare()
    if "video" in extra_formats:
        from . import video

        video.prepare()


def still(
    source: str | Path | BinaryIO,
    extra_formats: Sequence[str],
    sizes: Sequence[Size],
    max_pixels: int,
    memory_mb: int = 0,
    poster_seconds: float | None = None,
) -> Still | None:
    """The still picture of ``source`` when it is a PDF or video that is switched on; None otherwise (a picture)."""
    header = _header(source)
    found = kind(header, extra_formats)
    if found == "pdf":
        from . import pdf

        page = pdf.render_first_page(source, sizes, max_pixels, memory_mb)
        details = {
            "page-count": str(page.pages),
            "page-width": f"{page.width_pt:g}",
            "page-height": f"{page.height_pt:g}",
        }
        return Still(page.image, pdf.FORMAT, details)
    if found == "video":
        from . import video

        poster = video.poster(source, header, sizes, max_pixels, memory_mb, poster_seconds)
        return Still(poster.image, poster.container, poster.details())
    return None


def _header(source: str | Path | BinaryIO) -> bytes:
    if isinstance(source, (str, Path)):
        with open(source, "rb") as stream:
            return stream.read(HEADER_BYTES)
    start = source.tell()
    header = source.read(HEADER_BYTES)
    source.seek(start)
    return header
