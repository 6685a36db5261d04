"""What ``thumbnails reconcile`` plans once thumbnails come in several formats (output_formats): a source missing
a configured format is rendered again, a format no longer configured (or a thumbnail written before output_formats,
without its extension) is removed when its metadata proves it ours, and anything else stays."""

from __future__ import annotations

import io

from thumbnails.clients import Clients
from thumbnails.deployment import Deployment
from thumbnails.output import Progress
from thumbnails.reconcile import plan


def test_formats_missing_and_retired_are_found_and_foreign_objects_kept(client, deployed):
    stack = deployed(sizes="256", formats="webp,jpeg")
    s3, source, destination = client("s3"), stack["source"], stack["destination"]
    for key in ("uploads/full.jpg", "uploads/partial.jpg", "uploads/old.jpg"):
        s3.put_object(Bucket=source, Key=key, Body=b"x")

    def thumbnail(key: str, source_key: str | None) -> None:
        ours = {"source-bucket": source, "source-key": source_key} if source_key else {}
        s3.put_object(Bucket=destination, Key=f"thumbnails/256/{key}", Body=b"t", Metadata=ours)

    thumbnail("uploads/full.jpg.webp", "uploads/full.jpg")
    thumbnail("uploads/full.jpg.jpg", "uploads/full.jpg")
    thumbnail("uploads/full.jpg.avif", "uploads/full.jpg")  # avif no longer configured
    thumbnail("uploads/partial.jpg.webp", "uploads/partial.jpg")  # its jpeg is missing
    thumbnail("uploads/old.jpg", "uploads/old.jpg")  # written before output_formats, without its extension
    thumbnail("uploads/old.jpg.png", None)  # not ours: its metadata names no source

    deployment = Deployment.read(Clients.make()("lambda"), stack["name"])
    assert deployment.output_formats == ("webp", "jpeg")
    found = plan(deployment, s3, Progress(io.StringIO(), enabled=False))

    assert found.render == ["uploads/old.jpg", "uploads/partial.jpg"], "every source missing a configured format"
    removed = {r["key"]: r["reason"] for r in found.remove}
    assert removed == {
        "thumbnails/256/uploads/full.jpg.avif": "format avif is no longer configured (output_formats)",
        "thumbnails/256/uploads/old.jpg": (
            "a thumbnail without its format's extension is no longer configured (output_formats)"
        ),
    }
    assert [k["key"] for k in found.kept] == ["thumbnails/256/uploads/old.jpg.png"]


def test_previews_are_the_thumbnails_of_pdfs_and_videos(client, deployed):
    """A PDF's or a video's thumbnail is its key with the format's extension appended (report.pdf.webp): reconcile
    counts it as that source's, renders a source without one and removes one whose source is gone."""
    stack = deployed(sizes="256", suffixes=".jpg,.pdf,.mp4,.webm")
    s3, source, destination = client("s3"), stack["source"], stack["destination"]
    for key in ("uploads/report.pdf", "uploads/clip.mp4", "uploads/talk.webm", "uploads/notes.txt"):
        s3.put_object(Bucket=source, Key=key, Body=b"x")
    for key, source_key in {
        "uploads/report.pdf.webp": "uploads/report.pdf",
        "uploads/talk.webm.webp": "uploads/talk.webm",
        "uploads/deleted.pdf.webp": "uploads/deleted.pdf",  # its source is gone
    }.items():
        metadata = {"source-bucket": source, "source-key": source_key}
        s3.put_object(Bucket=destination, Key=f"thumbnails/256/{key}", Body=b"t", Metadata=metadata)

    found = plan(Deployment.read(Clients.make()("lambda"), stack["name"]), s3, Progress(io.StringIO(), enabled=False))

    assert found.sources == 3, "notes.txt is not watched"
    assert found.render == ["uploads/clip.mp4"]
    assert found.remove == [
        {
            "key": "thumbnails/256/uploads/deleted.pdf.webp",
            "reason": "its source is gone",
            "source": "uploads/deleted.pdf",
        }
    ]


def test_variants_made_on_request_stay_while_their_source_does(client, deployed):
    """on_demand's variants are configured: reconcile neither removes them as a size no longer configured nor
    renders them ahead of a request; a variant whose source is gone, or in a format no longer enabled, goes."""
    stack = deployed(sizes="256", on_demand="thumb=256,card=640x360")
    s3, source, destination = client("s3"), stack["source"], stack["destination"]
    s3.put_object(Bucket=source, Key="uploads/cat.jpg", Body=b"x")
    ours = {"source-bucket": source, "source-key": "uploads/cat.jpg"}
    gone = {"source-bucket": source, "source-key": "uploads/gone.jpg"}
    for key, metadata in {
        "thumbnails/256/uploads/cat.jpg": ours,  # the upload path's own
        "thumbnails/640x360/uploads/cat.jpg.avif": ours,
        "thumbnails/640x360/uploads/cat.jpg.webp": ours,
        "thumbnails/640x360/uploads/cat.jpg.jpg": ours,  # jpeg is not enabled on request
        "thumbnails/640x360/uploads/gone.jpg.webp": gone,
    }.items():
        s3.put_object(Bucket=destination, Key=key, Body=b"t", Metadata=metadata)

    deployment = Deployment.read(Clients.make()("lambda"), stack["name"])
    assert (deployment.on_demand_sizes, deployment.on_demand_formats) == (("256", "640x360"), ("avif", "webp"))
    found = plan(deployment, s3, Progress(io.StringIO(), enabled=False))

    assert found.render == []
    assert {r["key"]: r["reason"] for r in found.remove} == {
        "thumbnails/640x360/uploads/cat.jpg.jpg": "format jpeg is no longer enabled (on_demand.formats)",
        "thumbnails/640x360/uploads/gone.jpg.webp": "its source is gone",
    }
