"""Previews through the handler on moto's S3 (EXTRA_FORMATS=pdf): a bucket of mixed uploads gets a thumbnail of
every picture and of every PDF's first page, keyed, typed and described like a picture's; a refused PDF is
counted by its reason; a deleted PDF loses its previews."""

from __future__ import annotations

import io
import json

from PIL import Image

from .conftest import DEST, SOURCE, invoke, s3_event, thumbnail_keys
from .documents import encrypted_pdf, page_pdf
from .images import jpeg


def test_a_mixed_bucket_gets_a_preview_of_every_picture_and_pdf(s3, env, capsys):
    env.setenv("EXTRA_FORMATS", "pdf")
    env.setenv("THUMBNAIL_SIZES", "512,96x96")
    env.setenv("AWS_LAMBDA_FUNCTION_NAME", "CreateThumbnail")
    uploads = {"docs/report.pdf": page_pdf(612, 792, pages=4), "cat.jpg": jpeg(800, 600), "locked.pdf": encrypted_pdf()}
    for key, body in uploads.items():
        s3.put_object(Bucket=SOURCE, Key=key, Body=body)
    capsys.readouterr()
    summary = invoke(s3_event(*uploads))
    assert [f["key"] for f in summary["failed"]] == ["locked.pdf"]
    assert summary["failed"][0]["reason"] == "encrypted PDF: it needs a password to open, and none is given"
    assert thumbnail_keys(s3) == [
        "thumbnails/512/cat.jpg",
        "thumbnails/512/docs/report.pdf.webp",
        "thumbnails/96x96/cat.jpg",
        "thumbnails/96x96/docs/report.pdf.webp",
    ]
    stored = s3.get_object(Bucket=DEST, Key="thumbnails/512/docs/report.pdf.webp")
    assert stored["ContentType"] == "image/webp"
    assert stored["ContentDisposition"] == 'inline; filename="report.pdf.webp"'
    assert Image.open(io.BytesIO(stored["Body"].read())).size == (396, 512)
    metadata = stored["Metadata"]
    assert (metadata["page-count"], metadata["page-width"], metadata["page-height"]) == ("4", "612", "792")
    assert metadata["source-key"] == "docs/report.pdf" and metadata["blurhash"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"Reason"' in line]
    assert [(line["Reason"], line["Refused"]) for line in lines] == [("encrypted", 1)]

    s3.delete_object(Bucket=SOURCE, Key="docs/report.pdf")
    removed = s3_event("docs/report.pdf")
    removed["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    invoke(removed)
    assert thumbnail_keys(s3) == ["thumbnails/512/cat.jpg", "thumbnails/96x96/cat.jpg"]


def test_without_pdf_in_extra_formats_a_pdf_is_refused_as_not_an_image(s3):
    s3.put_object(Bucket=SOURCE, Key="report.pdf", Body=page_pdf())
    [failed] = invoke(s3_event("report.pdf"))["failed"]
    assert failed["reason"] == "not an image in a supported format (JPEG, PNG, WebP, GIF)"
    assert thumbnail_keys(s3) == []
