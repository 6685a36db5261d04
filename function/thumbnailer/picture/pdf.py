"""A PDF's first page as a still picture (``extra_formats = ["pdf"]``): rendered by PDFium (pypdfium2) at the scale
the largest thumbnail needs, on white, and then made into thumbnails like any picture.

PDFium here is pypdfium2's own build: no V8 (no JavaScript), no XFA forms (``javascript_free`` checks it and a test
keeps it so). The page is rendered inside the containment child like every non-JPEG picture (containment.py), with
its own time limit (``RENDER_SECONDS``). What is refused, and how each refusal reads (aws/metrics.py counts them by
reason): an encrypted document that needs a password to open, a document without pages, a page whose rendering
would have more pixels than ``max_image_pixels`` or would not fit the function's memory, a file PDFium cannot read.
A file over ``max_object_bytes`` is refused before it is downloaded (aws/storage.py), as every upload is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from ..errors import ImageRejected
from . import memory
from .sizes import Size

FORMAT = "PDF"  # the source format, as Result.source_format and the catalogue name it
RENDER_SECONDS = 20.0  # a page that takes longer to render is refused (the renderer is stopped)
# Peak bytes a rendered pixel costs before the margin (11.1 measured): PDFium's BGR bitmap, its Pillow copy, the
# thumbnails encoded at that size (tests/function/picture/test_pdf.py::test_the_memory_estimate_covers_a_render).
BYTES_PER_PIXEL = 12.0
# PDFium's load errors (FPDF_GetLastError): a password is needed, an unsupported security handler; and "file not
# found", which loading from memory never sets: set on purpose before each load (``_mark_last_error``), it is what
# a load reads back when it failed without an error of its own (PDFium's last error is only ever set by a failure).
_ERR_MARK, _ERR_PASSWORD, _ERR_SECURITY = 2, 4, 5
# A PDF's header may follow up to 1,024 bytes of anything (PDFium and Acrobat look that far).
HEADER_WINDOW = 1024


@dataclass(frozen=True)
class Page:
    """The first page rendered, and what the catalogue and metadata say of the document."""

    image: Image.Image
    pages: int
    width_pt: float  # the page's size in PDF points (1/72 inch), as displayed (its /Rotate applied)
    height_pt: float


def is_pdf(header: bytes) -> bool:
    """Whether these first bytes are a PDF's (``%PDF-`` within the first 1,024)."""
    return b"%PDF-" in header[:HEADER_WINDOW]


def javascript_free() -> bool:
    """Whether the PDFium loaded was built without V8 and XFA (pypdfium2's default build)."""
    import pypdfium2

    flags = set(pypdfium2.PDFIUM_INFO.flags)
    return not flags & {"V8", "XFA"}


def prepare() -> None:
    """Load PDFium before a page is rendered in a child, so each child inherits it instead of loading it again."""
    import pypdfium2  # noqa: F401


def scale_for(width_pt: float, height_pt: float, sizes: Sequence[Size]) -> float:
    """Pixels a point for the largest of ``sizes``: a longest edge fills that edge, a box is covered."""
    scales = [
        max(size.width / width_pt, size.height / height_pt) if size.crop else size.width / max(width_pt, height_pt)
        for size in sizes
    ]
    # A hair under, so that PDFium's ceil() lands on the size itself rather than one pixel more.
    return max(scales) * (1 - 1e-9)


def render_first_page(
    source: str | Path | BinaryIO, sizes: Sequence[Size], max_pixels: int, memory_mb: int = 0
) -> Page:
    """The first page of the PDF ``source`` rendered on white at the scale the largest size needs."""
    import pypdfium2

    data = Path(source) if isinstance(source, (str, Path)) else source.read()
    _mark_last_error()
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == _ERR_PASSWORD:
            raise ImageRejected("encrypted PDF: it needs a password to open, and none is given") from None
        if code == _ERR_SECURITY:
            raise ImageRejected("encrypted PDF: its security handler is not one PDFium supports") from None
        if code == _ERR_MARK:  # parsed without an error, yet no document: PDFium opens none without pages
            raise ImageRejected("PDF has no pages") from None
        raise ImageRejected(f"corrupt PDF: PDFium cannot read it ({exc})") from None
    with closing(document):
        count = len(document)
        if count < 1:
            raise ImageRejected("PDF has no pages")
        page = document[0]
        try:
            width_pt, height_pt = page.get_size()
            if not (width_pt > 0 and height_pt > 0 and math.isfinite(width_pt * height_pt)):
                raise ImageRejected(f"corrupt PDF: its first page measures {width_pt}x{height_pt} points")
            scale = scale_for(width_pt, height_pt, sizes)
            width, height = math.ceil(width_pt * scale), math.ceil(height_pt * scale)
            if width * height > max_pixels:
                raise ImageRejected(
                    f"its first page ({width_pt:g}x{height_pt:g} points) rendered at {width}x{height} is "
                    f"{width * height} pixels, more than MAX_IMAGE_PIXELS={max_pixels}"
                )
            _check_memory(width, height, memory_mb)
            try:
                bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), may_draw_forms=False)
            except pypdfium2.PdfiumError as exc:
                raise ImageRejected(f"corrupt PDF: its first page cannot be rendered ({exc})") from None
            image = bitmap.to_pil().convert("RGB")  # detached from PDFium's buffer, freed with the document
            bitmap.close()
        finally:
            page.close()
    return Page(image, count, round(width_pt, 2), round(height_pt, 2))


def _check_memory(width: int, height: int, memory_mb: int) -> None:
    if not memory_mb:
        return
    needed = memory.RUNTIME_MB + width * height * BYTES_PER_PIXEL * memory.MARGIN / 2**20
    if needed > memory_mb:
        raise ImageRejected(
            f"its first page rendered at {width}x{height} needs about {needed:.0f} MB, more than the function's "
            f"memory_size of {memory_mb} MB: raise memory_size, or use smaller thumbnail sizes"
        )


def _mark_last_error() -> None:
    """Set PDFium's last error to "file not found" (a load of a path that does not exist), so that a load that fails
    without setting an error of its own is told apart from one an earlier document set."""
    import pypdfium2.raw

    pypdfium2.raw.FPDF_LoadDocument(b"/nonexistent/thumbnailer-mark.pdf\x00", None)
