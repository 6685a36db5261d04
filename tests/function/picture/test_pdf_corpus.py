"""Every PDF of pypdfium2's and pypdf's own test documents (fetched from their source distributions at test time,
devkit/corpus.py; never committed), and each of them cut short: a preview or a named refusal, inside the containment
child and within its time limit. None crashes the function, none hangs."""

from __future__ import annotations

import io
import re
import time
from functools import partial
from pathlib import Path

import pytest
from PIL import Image

from devkit import figures
from devkit.corpus import pdf_test_documents
from thumbnailer.aws.metrics import reason_of
from thumbnailer.errors import ImageRejected
from thumbnailer.picture import containment, pdf
from thumbnailer.picture.imaging import make_thumbnails, prepare_decoders

SIZE = 128
NAMED = {"encrypted", "no-pages", "corrupt", "too-many-pixels", "too-little-memory"}


@pytest.fixture(scope="module")
def documents() -> list[Path]:
    prepare_decoders(("pdf",))
    return pdf_test_documents()


def outcome(source: Path | io.BytesIO) -> str:
    """ "preview" or the refusal's reason; an unnamed refusal is returned as its message, which fails the test."""
    render = partial(make_thumbnails, source, [SIZE], extra_formats=("pdf",), memory_mb=1024)
    started = time.monotonic()
    try:
        result = containment.contained(render, seconds=pdf.RENDER_SECONDS, memory_mb=1024)
    except ImageRejected as exc:
        reason = reason_of(str(exc))
        return reason if reason in NAMED else f"unnamed refusal: {exc}"
    assert time.monotonic() - started < pdf.RENDER_SECONDS + 1
    [thumb] = result.thumbnails
    with Image.open(io.BytesIO(thumb.data)) as shown:
        assert max(shown.size) == SIZE and shown.format == "WEBP"
    assert int(result.details["page-count"]) >= 1
    return "preview"


def test_every_document_of_the_corpus_is_a_preview_or_a_named_refusal(documents):
    outcomes = {f"{path.parent.name}/{path.name}": outcome(path) for path in documents}
    unnamed = {name: what for name, what in outcomes.items() if what != "preview" and what not in NAMED}
    assert not unnamed, unnamed
    assert len(outcomes) >= 80, f"the corpus has {len(outcomes)} documents: was it fetched whole?"
    previews = sum(what == "preview" for what in outcomes.values())
    encrypted = [name for name, what in outcomes.items() if what == "encrypted"]
    assert previews >= 70 and len(encrypted) >= 5, outcomes
    # pypdf's encryption/ set: a user password keeps the document shut; an empty or owner-only one does not.
    assert all(outcomes[n] == "encrypted" for n in outcomes if "user-password" in n)
    assert all(outcomes[n] == "preview" for n in outcomes if re.search("empty-password|owner-password", n))
    command = ".venv/bin/python -m pytest tests/function/picture/test_pdf_corpus.py -n 0 -k every_document"
    figures.check("pdf_corpus_files", len(outcomes), "files", f"{len(outcomes):,}", command)
    figures.check("pdf_corpus_previews", previews, "files", f"{previews:,}", command)


def test_every_document_cut_short_is_a_preview_or_a_named_refusal(documents):
    """Half of each file: the cross-reference table at its end is gone, so PDFium rebuilds it from what is left."""
    outcomes = {path.name: outcome(io.BytesIO(path.read_bytes()[: path.stat().st_size // 2])) for path in documents}
    unnamed = {name: what for name, what in outcomes.items() if what != "preview" and what not in NAMED}
    assert not unnamed, unnamed
