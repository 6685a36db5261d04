"""A PDF's first page as a preview (thumbnailer/picture/pdf.py): rendered at the scale the largest size needs, on
white, upright, then the picture path's sizes, crops and formats; every refusal named. PDFs are made here
(tests/function/documents.py), so each one's content is in view."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from PIL import Image

from thumbnailer.aws.metrics import reason_of
from thumbnailer.errors import ImageRejected
from thumbnailer.keys import file_name, thumbnail_key
from thumbnailer.picture import containment, pdf, previews
from thumbnailer.picture.imaging import make_thumbnails
from thumbnailer.picture.sizes import Size

from ..documents import empty_pdf, encrypted_pdf, page_pdf, photo_pdf
from ..images import photo

ON = ("pdf",)


def preview(data: bytes, sizes, **options):
    return make_thumbnails(io.BytesIO(data), sizes, extra_formats=ON, **options)


def test_the_first_page_is_rendered_at_the_largest_size_then_every_size_made_from_it():
    result = preview(page_pdf(612, 792, pages=3), [1024, "200x200", 256])
    assert result.source_format == "PDF" and (result.source_width, result.source_height) == (792, 1024)
    assert [(str(t.size), t.width, t.height, t.format.name) for t in result.thumbnails] == [
        ("1024", 792, 1024, "webp"), ("200x200", 200, 200, "webp"), ("256", 198, 256, "webp"),
    ]  # fmt: skip
    assert result.details == {"page-count": "3", "page-width": "612", "page-height": "792"}
    assert result.blurhash


@pytest.mark.parametrize("points", [(61.2, 79.2), (6120, 7920)])
def test_never_a_fixed_dpi_a_tiny_page_and_a_poster_both_fill_the_size(points):
    """A 61x79-point label renders up to 1024 pixels (a fixed 72 DPI would give 79); a 85-inch poster renders at
    1024 (a fixed 300 DPI would be 33,000 pixels tall before a single thumbnail was made)."""
    [thumb] = preview(page_pdf(*points), [1024]).thumbnails
    assert (thumb.width, thumb.height) == (792, 1024)


def test_a_box_is_covered_then_cropped():
    [thumb] = preview(page_pdf(612, 792), ["300x100"], crop="centre").thumbnails
    assert (thumb.width, thumb.height) == (300, 100)


def test_the_page_is_upright_and_on_white():
    shown = Image.open(io.BytesIO(preview(page_pdf(612, 792), [400], requested_format="png").thumbnails[0].data))
    rgb = shown.convert("RGB")
    assert rgb.getpixel((5, 5))[0] > 200 and rgb.getpixel((5, 5))[1] < 60, "the red square is top-left"
    assert rgb.getpixel((shown.width - 5, 5)) == (255, 255, 255), "the page is on white, not transparent"
    assert "A" not in shown.mode and "transparency" not in shown.info, "no transparency at all"
    turned = preview(page_pdf(612, 792, rotate=90), [400], requested_format="png")
    assert (turned.source_width, turned.source_height) == (400, 310), "/Rotate 90 shows the page on its side"
    assert turned.details["page-width"] == "792"


def test_a_scanned_page_keeps_its_picture():
    data = photo_pdf(photo(600, 400), resolution=150)
    [thumb] = preview(data, [300], requested_format="png").thumbnails
    assert (thumb.width, thumb.height) == (300, 200)
    assert Image.open(io.BytesIO(thumb.data)).convert("RGB").getpixel((3, 3))[0] > 200  # the photo's red marker


def test_the_key_keeps_the_source_name_and_appends_the_extension():
    result = preview(page_pdf(), [256])
    [thumb] = result.thumbnails
    assert thumbnail_key("thumbnails/", Size(256, 0), "docs/report.pdf", result.source_format, thumb.format) == (
        "thumbnails/256/docs/report.pdf.webp"
    )
    assert file_name("docs/report.pdf", thumb.format) == "report.pdf.webp"


def test_output_formats_apply_as_to_a_picture():
    result = preview(page_pdf(), [256], formats=("jpeg", "png"))
    assert [Image.open(io.BytesIO(t.data)).format for t in result.thumbnails] == ["JPEG", "PNG"]


@pytest.mark.parametrize(
    "data, options, message, reason",
    [
        (encrypted_pdf(), {}, "encrypted PDF: it needs a password", "encrypted"),
        (empty_pdf(), {}, "PDF has no pages", "no-pages"),
        (page_pdf(14400, 10), {"max_pixels": 10**6}, r"288000x200 is 57600000 pixels, more", "too-many-pixels"),
        (page_pdf(), {"memory_mb": 130}, "needs about .* MB, more than the function's memory", "too-little-memory"),
        (b"%PDF-1.7\n" + b"\x00" * 200, {}, "corrupt PDF: PDFium cannot read it", "corrupt"),
        (page_pdf()[:300], {}, "corrupt PDF", "corrupt"),
        (b"Dear reader, this is not a PDF.", {}, r"not an image in a supported format \(.*PDF\)", "not-an-image"),
    ],
    ids=["encrypted", "no-pages", "too-many-pixels", "too-little-memory", "garbage", "truncated", "not-a-pdf"],
)  # fmt: skip
def test_every_refusal_is_named_and_counted_by_its_reason(data, options, message, reason):
    with pytest.raises(ImageRejected, match=message) as refused:
        preview(data, ["200x200"] if "max_pixels" in options else [1024], **options)
    assert reason_of(str(refused.value)) == reason


def test_a_refusal_does_not_depend_on_the_document_before_it():
    """PDFium keeps its last error across documents: an empty one after an encrypted one is still "no pages"."""
    with pytest.raises(ImageRejected, match="encrypted"):
        preview(encrypted_pdf(), [256])
    with pytest.raises(ImageRejected, match="no pages"):
        preview(empty_pdf(), [256])


def test_without_pdf_in_extra_formats_a_pdf_is_not_read():
    with pytest.raises(ImageRejected, match=r"not an image in a supported format \(JPEG, PNG, WebP, GIF\)"):
        make_thumbnails(io.BytesIO(page_pdf()), [256])
    assert previews.kind(page_pdf(), ()) is None and previews.kind(page_pdf(), ON) == "pdf"


def test_the_header_may_follow_junk_as_readers_allow():
    assert pdf.is_pdf(b"\x00" * 500 + b"%PDF-1.4") and not pdf.is_pdf(b"\x00" * 1100 + b"%PDF-1.4")


def test_rendered_in_the_containment_child_with_its_own_time_limit():
    assert not containment.decoded_in_process(page_pdf()), "a PDF never renders in the function's own process"
    assert previews.seconds(page_pdf(), ON) == pdf.RENDER_SECONDS
    result = containment.contained(lambda: preview(page_pdf(), [256]), seconds=pdf.RENDER_SECONDS)
    assert result.details["page-count"] == "1"


def test_pdfium_is_built_without_javascript_or_xfa():
    assert pdf.javascript_free(), "pypdfium2's PDFium must stay the build without V8 and XFA (docs/previews.md)"


def test_the_memory_estimate_covers_a_render():
    """The peak resident memory of rendering a 2,000x2,500 page (and making its thumbnails), per pixel, stays under
    BYTES_PER_PIXEL: measured in a fresh process against its own baseline."""
    code = (
        "import io, resource, sys; sys.path[:0] = ['function', '.'];"
        "from tests.function.documents import page_pdf;"
        "from thumbnailer.picture.imaging import make_thumbnails, prepare_decoders;"
        "prepare_decoders(('pdf',)); data = page_pdf(2000, 2500);"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "make_thumbnails(io.BytesIO(data), [2500, 256], extra_formats=('pdf',));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)"
    )
    grown_kb = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert grown_kb * 1024 / (2000 * 2500) < pdf.BYTES_PER_PIXEL
