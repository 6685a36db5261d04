"""The latest version wins: events replayed out of order, duplicated, and racing with changes to the object."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from thumbnailer import pipeline
from thumbnailer.errors import RetryableError

from .conftest import DEST, SOURCE, invoke, s3_event, thumbnail_keys
from .images import jpeg

KEY = "race/photo.jpg"
THUMB = f"thumbnails/256/{KEY}"


def event_for(s3, name: str, key: str = KEY, version_id: str | None = None) -> dict:
    """The S3 record S3 would have sent for that change (eTag and versionId of the version it was about)."""
    event = s3_event(key, encoded=True)
    obj = event["Records"][0]["s3"]["object"]
    event["Records"][0]["eventName"] = name
    if version_id:
        obj["versionId"] = version_id
    return event


def thumb_size(s3) -> tuple[int, int]:
    return Image.open(io.BytesIO(s3.get_object(Bucket=DEST, Key=THUMB)["Body"].read())).size


def current_etag(s3) -> str:
    return s3.head_object(Bucket=SOURCE, Key=KEY)["ETag"].strip('"')


@pytest.mark.parametrize("versioned", [False, True])
def test_two_overwrites_delivered_in_reverse_end_with_the_newer_picture(s3, versioned):
    if versioned:
        s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg(400, 200)).get("VersionId")
    second = s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg(200, 400)).get("VersionId")
    invoke(event_for(s3, "ObjectCreated:Put", version_id=second))
    invoke(event_for(s3, "ObjectCreated:Put", version_id=first))  # the older event, late
    assert thumb_size(s3) == (128, 256)
    metadata = s3.head_object(Bucket=DEST, Key=THUMB)["Metadata"]
    assert metadata["source-etag"] == current_etag(s3)
    assert metadata.get("source-version-id") == second


def test_a_create_arriving_after_the_delete_leaves_no_thumbnails(s3):
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg())
    s3.delete_object(Bucket=SOURCE, Key=KEY)
    invoke(event_for(s3, "ObjectRemoved:Delete"))
    summary = invoke(event_for(s3, "ObjectCreated:Put"))
    assert summary["skipped"][0]["reason"] == "ObjectCreated:Put: the object no longer exists and has no thumbnails"
    assert thumbnail_keys(s3) == []


def test_a_shuffled_duplicated_history_ending_in_a_delete_leaves_no_thumbnails(s3):
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg())
    invoke(event_for(s3, "ObjectCreated:Put"))
    s3.delete_object(Bucket=SOURCE, Key=KEY)
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg(200, 400))
    s3.delete_object(Bucket=SOURCE, Key=KEY)
    # Every event of that history, duplicated and shuffled.
    for name in [
        "ObjectRemoved:Delete",
        "ObjectCreated:Put",
        "ObjectRemoved:Delete",
        "ObjectCreated:Put",
        "ObjectCreated:Put",
    ]:
        invoke(event_for(s3, name))
    assert thumbnail_keys(s3) == []


def test_duplicated_events_leave_one_set_of_thumbnails_from_the_current_version(s3):
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg(400, 200))
    event = event_for(s3, "ObjectCreated:Put")
    results = [invoke(json.loads(json.dumps(event))) for _ in range(3)]
    assert all(r["processed"][0]["thumbnails"] == [THUMB] for r in results)
    assert thumbnail_keys(s3) == [THUMB] and thumb_size(s3) == (256, 128)


def overwrite_once_while_rendering(monkeypatch, action):
    """Run ``action`` the first time the pipeline has made thumbnails, before they are written."""
    real = pipeline.make_thumbnails
    calls = []

    def make_thumbnails(*args, **kwargs):
        result = real(*args, **kwargs)
        if not calls:
            action()
        calls.append(1)
        return result

    monkeypatch.setattr(pipeline, "make_thumbnails", make_thumbnails)
    return calls


def test_an_overwrite_during_rendering_is_rendered_again(s3, monkeypatch):
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg(400, 200))
    calls = overwrite_once_while_rendering(
        monkeypatch, lambda: s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg(200, 400))
    )
    invoke(event_for(s3, "ObjectCreated:Put"))
    assert len(calls) == 2, "the stale render was noticed after the write and done again"
    assert thumb_size(s3) == (128, 256)
    assert s3.head_object(Bucket=DEST, Key=THUMB)["Metadata"]["source-etag"] == current_etag(s3)


def test_a_delete_during_rendering_removes_what_was_just_written(s3, monkeypatch):
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg())
    overwrite_once_while_rendering(monkeypatch, lambda: s3.delete_object(Bucket=SOURCE, Key=KEY))
    summary = invoke(event_for(s3, "ObjectCreated:Put"))
    assert summary["deleted"][0]["thumbnails"] == [THUMB]
    assert thumbnail_keys(s3) == []


def test_an_upload_during_removal_is_rendered(s3, monkeypatch):
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg())
    invoke(event_for(s3, "ObjectCreated:Put"))
    s3.delete_object(Bucket=SOURCE, Key=KEY)
    real = pipeline.storage.remove

    def remove(*args, **kwargs):
        removed = real(*args, **kwargs)
        s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg(200, 400))  # uploaded again meanwhile
        return removed

    monkeypatch.setattr(pipeline.storage, "remove", remove)
    summary = invoke(event_for(s3, "ObjectRemoved:Delete"))
    assert summary["processed"][0]["thumbnails"] == [THUMB] and thumb_size(s3) == (128, 256)


def test_an_object_that_never_stops_changing_fails_transiently(s3, monkeypatch):
    s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg())
    real = pipeline.make_thumbnails
    versions = iter(range(100))

    def make_thumbnails(*args, **kwargs):
        result = real(*args, **kwargs)
        s3.put_object(Bucket=SOURCE, Key=KEY, Body=jpeg() + bytes([next(versions)]))  # a new version each time
        return result

    monkeypatch.setattr(pipeline, "make_thumbnails", make_thumbnails)
    with pytest.raises(RetryableError, match=f"changed {pipeline.MAX_ROUNDS} times"):
        invoke(event_for(s3, "ObjectCreated:Put"))
