"""The Lambda handler end to end on moto's S3: every record, every outcome, nothing left in /tmp."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from PIL import Image

import app
from thumbnailer.aws import storage
from thumbnailer.errors import RetryableError

from .conftest import DEST, SOURCE, invoke, load_event, log_lines, s3_event, thumbnail_keys
from .images import EPS, animation, encode, jpeg, photo, png_bomb


def put(s3, key: str, data: bytes, bucket: str = SOURCE) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=data)


def image_at(s3, key: str, bucket: str = DEST) -> Image.Image:
    return Image.open(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))


def test_multi_record_event_mixing_good_and_bad_objects(s3, tmp: Path, capsys):
    put(s3, "a.jpg", jpeg(800, 600))
    put(s3, "notes.jpg", b"just text, named like a picture")
    put(s3, "b.png", encode(photo(300, 600), "PNG"))
    put(s3, "half.jpg", jpeg(800, 600)[:3000])
    summary = invoke(s3_event("a.jpg", "notes.jpg", "gone.jpg", "b.png", "half.jpg"))

    assert [p["key"] for p in summary["processed"]] == ["a.jpg", "b.png"]
    failed = {f["key"]: f["reason"] for f in summary["failed"]}
    assert set(failed) == {"notes.jpg", "half.jpg"}
    assert "not an image" in failed["notes.jpg"]
    assert [(s["key"], s["reason"]) for s in summary["skipped"]] == [
        ("gone.jpg", "ObjectCreated:Put: the object no longer exists and has no thumbnails")
    ], "an upload whose object has gone since is not a failure: its delete event follows"
    assert "truncated" in failed["half.jpg"] or "corrupt" in failed["half.jpg"]
    assert thumbnail_keys(s3) == ["thumbnails/256/a.jpg", "thumbnails/256/b.png"]
    assert image_at(s3, "thumbnails/256/b.png").size == (128, 256)
    assert list(tmp.iterdir()) == [], "every temporary file is removed, whatever happened"

    lines = log_lines(capsys.readouterr().out)
    assert [(entry["key"], entry["outcome"]) for entry in lines] == [
        ("a.jpg", "processed"),
        ("notes.jpg", "failed"),
        ("gone.jpg", "skipped"),
        ("b.png", "processed"),
        ("half.jpg", "failed"),
    ]
    assert all(entry["request_id"] == "req-1" and "ms" in entry for entry in lines)
    assert {entry["level"] for entry in lines if entry["outcome"] == "failed"} == {"ERROR"}
    assert "Records" not in json.dumps(lines), "the event body is never logged"


def test_thumbnail_carries_content_type_and_source_metadata(s3):
    put(s3, "photos/x.jpg", jpeg())
    etag = s3.head_object(Bucket=SOURCE, Key="photos/x.jpg")["ETag"].strip('"')
    invoke(s3_event("photos/x.jpg"))
    head = s3.head_object(Bucket=DEST, Key="thumbnails/256/photos/x.jpg")
    assert head["ContentType"] == "image/jpeg"
    blurhash = head["Metadata"].pop("blurhash")
    assert head["Metadata"] == {"source-bucket": SOURCE, "source-key": "photos/x.jpg", "source-etag": etag}
    assert 20 <= len(blurhash) <= 30 and blurhash.isascii(), "the placeholder, as an application reads it"


def test_thumbnails_served_publicly_can_keep_their_source_to_themselves(s3, env):
    """SOURCE_METADATA=false: no bucket, key or ETag in the thumbnail's metadata, only a digest that still lets a
    removal tell its own thumbnails from a look-alike."""
    env.setenv("SOURCE_METADATA", "false")
    put(s3, "private/x.jpg", jpeg())
    s3.put_object(Bucket=DEST, Key="thumbnails/256/private/y.jpg", Body=b"someone else's")
    invoke(s3_event("private/x.jpg"))
    metadata = s3.head_object(Bucket=DEST, Key="thumbnails/256/private/x.jpg")["Metadata"]
    assert sorted(metadata) == ["blurhash", "source-digest"] and "private" not in json.dumps(metadata)
    assert len(metadata["source-digest"]) == 32
    for key in ("x.jpg", "y.jpg"):
        s3.delete_object(Bucket=SOURCE, Key=f"private/{key}")
        event = s3_event(f"private/{key}")
        event["Records"][0]["eventName"] = "ObjectRemoved:Delete"
        invoke(event)
    assert thumbnail_keys(s3, DEST) == ["thumbnails/256/private/y.jpg"], "only its own thumbnail went"
    env.setenv("SOURCE_METADATA", "true")  # turned back on: a thumbnail written with the digest still goes
    app.settings.cache_clear()
    put(s3, "private/z.jpg", jpeg())
    env.setenv("SOURCE_METADATA", "false")
    app.settings.cache_clear()
    invoke(s3_event("private/z.jpg"))
    env.setenv("SOURCE_METADATA", "true")
    app.settings.cache_clear()
    s3.delete_object(Bucket=SOURCE, Key="private/z.jpg")
    event = s3_event("private/z.jpg")
    event["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    invoke(event)
    assert thumbnail_keys(s3, DEST) == ["thumbnails/256/private/y.jpg"]


@pytest.mark.parametrize("key", ["summer holiday/café + friends.jpg", "a+b%2Bc.jpg", "사진/고양이.jpg"])
def test_encoded_keys_are_decoded(s3, key):
    put(s3, key, jpeg())
    summary = invoke(s3_event(key, encoded=True))
    assert summary["processed"][0]["key"] == key
    assert thumbnail_keys(s3) == [f"thumbnails/256/{key}"]


def test_recorded_encoded_key_event(s3):
    event = load_event("s3-put-encoded-key.json")
    event["Records"][0]["s3"]["bucket"]["name"] = SOURCE
    put(s3, "photos/summer holiday/café + friends.jpg", jpeg())
    assert invoke(event)["processed"][0]["key"] == "photos/summer holiday/café + friends.jpg"


def test_test_event_is_acknowledged_and_does_nothing(s3):
    assert invoke(load_event("s3-test-event.json")) == {"processed": [], "deleted": [], "skipped": [], "failed": []}
    assert thumbnail_keys(s3) == []


def test_key_under_the_destination_prefix_is_skipped(s3, env):
    env.setenv("DESTINATION_BUCKET", SOURCE)
    put(s3, "thumbnails/256/a.jpg", jpeg())
    summary = invoke(s3_event("thumbnails/256/a.jpg"))
    assert summary["skipped"][0]["reason"].startswith("under the destination prefix")
    assert thumbnail_keys(s3, SOURCE) == ["thumbnails/256/a.jpg"]


def test_same_event_twice_gives_identical_output(s3, env):
    env.setenv("THUMBNAIL_SIZES", "512,128")
    put(s3, "a.jpg", jpeg(1600, 1200))
    event = s3_event("a.jpg")
    invoke(event)
    first = {k: s3.get_object(Bucket=DEST, Key=k)["Body"].read() for k in thumbnail_keys(s3)}
    invoke(event)
    second = {k: s3.get_object(Bucket=DEST, Key=k)["Body"].read() for k in thumbnail_keys(s3)}
    assert first == second and sorted(first) == ["thumbnails/128/a.jpg", "thumbnails/512/a.jpg"]


def test_gif_becomes_png_with_the_extension_appended(s3):
    put(s3, "anim.gif", encode(Image.new("P", (64, 64), 3), "GIF"))
    put(s3, "anim.png", encode(Image.new("RGB", (64, 64)), "PNG"))
    invoke(s3_event("anim.gif", "anim.png"))
    assert thumbnail_keys(s3) == ["thumbnails/256/anim.gif.png", "thumbnails/256/anim.png"]
    assert s3.head_object(Bucket=DEST, Key="thumbnails/256/anim.gif.png")["ContentType"] == "image/png"


def test_boxes_and_an_animation_end_to_end_and_removed_together(s3, env):
    env.setenv("THUMBNAIL_SIZES", "256,96x96")
    put(s3, "clip.gif", animation("GIF")[0])
    put(s3, "face.jpg", jpeg(800, 600))
    summary = invoke(s3_event("clip.gif", "face.jpg"))
    assert thumbnail_keys(s3) == [
        "thumbnails/256/clip.gif.webp",
        "thumbnails/256/face.jpg",
        "thumbnails/96x96/clip.gif.webp",
        "thumbnails/96x96/face.jpg",
    ]
    assert image_at(s3, "thumbnails/96x96/face.jpg").size == (96, 96)
    assert image_at(s3, "thumbnails/96x96/clip.gif.webp").n_frames == 4
    assert not summary["failed"] and all("reason" not in p for p in summary["processed"])
    s3.delete_object(Bucket=SOURCE, Key="clip.gif")
    event = s3_event("clip.gif")
    event["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    invoke(event)
    assert thumbnail_keys(s3) == ["thumbnails/256/face.jpg", "thumbnails/96x96/face.jpg"]


def test_an_animation_not_kept_is_said_in_the_summary(s3, env):
    env.setenv("ANIMATION", "false")
    put(s3, "clip.gif", animation("GIF")[0])
    [processed] = invoke(s3_event("clip.gif"))["processed"]
    assert processed["reason"] == "animation not kept: ANIMATION is off; its first frame is used"
    assert thumbnail_keys(s3) == ["thumbnails/256/clip.gif.png"]


def test_eps_named_png_and_bomb_are_failed_not_crashed(s3):
    put(s3, "drawing.png", EPS)
    put(s3, "bomb.png", png_bomb())
    put(s3, "ok.jpg", jpeg())
    summary = invoke(s3_event("drawing.png", "bomb.png", "ok.jpg"))
    assert [f["key"] for f in summary["failed"]] == ["drawing.png", "bomb.png"]
    assert "pixels" in summary["failed"][1]["reason"]
    assert thumbnail_keys(s3) == ["thumbnails/256/ok.jpg"]


def test_an_event_naming_an_old_version_renders_the_current_one(s3):
    s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=SOURCE, Key="v.jpg", Body=jpeg(400, 200))["VersionId"]
    second = s3.put_object(Bucket=SOURCE, Key="v.jpg", Body=jpeg(200, 400))["VersionId"]
    event = s3_event("v.jpg")
    event["Records"][0]["s3"]["object"]["versionId"] = first
    assert invoke(event)["processed"][0]["key"] == "v.jpg"
    assert image_at(s3, "thumbnails/256/v.jpg").size == (128, 256), "made from the current version"
    assert s3.head_object(Bucket=DEST, Key="thumbnails/256/v.jpg")["Metadata"]["source-version-id"] == second


def test_transient_failure_fails_the_invocation_after_the_other_records(s3, monkeypatch, tmp):
    put(s3, "busy.jpg", jpeg())
    put(s3, "fine.jpg", jpeg())
    client = app.s3_client()
    real = client.get_object

    def throttled(**kw):
        if kw["Key"] == "busy.jpg":
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"}}, "GetObject")
        return real(**kw)

    monkeypatch.setattr(client, "get_object", throttled)
    with pytest.raises(RetryableError, match="busy.jpg"):
        invoke(s3_event("busy.jpg", "fine.jpg"))
    assert thumbnail_keys(s3) == ["thumbnails/256/fine.jpg"], "the other record was still done"
    assert list(tmp.iterdir()) == []


def test_object_larger_than_free_space_is_refused_before_download(s3, monkeypatch, tmp):
    put(s3, "big.jpg", jpeg())
    monkeypatch.setattr(storage.shutil, "disk_usage", lambda path: type("U", (), {"free": 10})())
    summary = invoke(s3_event("big.jpg"))
    assert "ephemeral_storage_size" in summary["failed"][0]["reason"]
    assert list(tmp.iterdir()) == []


def test_malformed_record_is_reported(s3):
    put(s3, "ok.jpg", jpeg())
    event = s3_event("ok.jpg")
    event["Records"].insert(0, {"eventSource": "aws:s3"})
    summary = invoke(event)
    assert summary["failed"][0]["key"] is None and "s3.bucket.name" in summary["failed"][0]["reason"]
    assert summary["processed"][0]["key"] == "ok.jpg"


def test_bad_configuration_names_the_variable(s3, env):
    env.setenv("QUALITY", "120")
    with pytest.raises(ValueError, match="QUALITY must be between 1 and 95; got 120"):
        invoke(s3_event("a.jpg"))


def test_temporary_name_never_contains_a_path(tmp_path):
    path = storage.temp_path(tmp_path, "../../etc/passwd/../évil name.jpg")
    assert path.parent == tmp_path
    assert "/" not in path.name and ".." not in path.name.split("_")[0]
    assert path.name.endswith("_vil_name.jpg") and len(path.name) == 36 + len("_vil_name.jpg")


def test_access_denied_means_gone_only_when_the_listing_agrees(s3, monkeypatch):
    """Without s3:ListBucket, S3 answers a GET of a missing key with 403: that is a deletion, not a failure."""
    client = app.s3_client()

    def denied(**kw):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject")

    monkeypatch.setattr(client, "get_object", denied)
    put(s3, "private.jpg", jpeg())
    summary = invoke(s3_event("private.jpg", "missing.jpg"))
    assert [(f["key"], f["reason"].split(":")[:2]) for f in summary["failed"]] == [
        ("private.jpg", ["download", " AccessDenied"])
    ]
    assert [s["key"] for s in summary["skipped"]] == ["missing.jpg"]


def test_an_object_above_max_object_bytes_is_refused_without_downloading_it(s3, env, tmp):
    env.setenv("MAX_OBJECT_BYTES", "1000")
    put(s3, "big.jpg", jpeg(400, 300))
    [failed] = invoke(s3_event("big.jpg"))["failed"]
    assert "more than MAX_OBJECT_BYTES=1000; not downloaded" in failed["reason"] and "transient" not in failed
    assert not list(tmp.iterdir()), "nothing written to /tmp"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own warning, then ours
def test_a_decompression_bomb_is_refused_from_its_header_before_the_rest_is_read(s3, tmp, monkeypatch):
    """A PNG that announces 10000x10000 pixels, padded to 5 MB: only its first 64 KiB are read."""
    from botocore.response import StreamingBody

    put(s3, "bomb.png", png_bomb(10_000, 10_000) + b"\0" * 5_000_000)
    read: list[int] = []
    original = StreamingBody.read

    def counting(self, amt=None):
        data = original(self, amt)
        read.append(len(data))
        return data

    monkeypatch.setattr(StreamingBody, "read", counting)
    [failed] = invoke(s3_event("bomb.png"))["failed"]
    assert "10000x10000 is 100000000 pixels, more than MAX_IMAGE_PIXELS=50000000" in failed["reason"]
    assert sum(read) <= storage.HEADER_BYTES, f"read {sum(read)} bytes of a 5 MB object"
    assert not list(tmp.iterdir())


class Clock:
    """A Lambda context whose remaining time is given, one value a call (the last repeated)."""

    aws_request_id = "req-1"
    function_name = "CreateThumbnail"

    def __init__(self, *remaining_ms: int) -> None:
        self.remaining = list(remaining_ms)

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining.pop(0) if len(self.remaining) > 1 else self.remaining[0]


def test_a_batch_whose_time_runs_short_reports_the_rest_not_tried_instead_of_timing_out(s3, capsys):
    from thumbnailer.pipeline import NOT_TRIED

    from .aws.test_events import sqs_batch

    keys = [f"late/{i}.jpg" for i in range(3)]
    for key in keys:
        put(s3, key, jpeg())
    answer = app.handler(sqs_batch(*keys), Clock(60_000, 900))  # asked before the second and the third
    assert answer == {"batchItemFailures": [{"itemIdentifier": "message-2"}]}, "only the one not tried comes back"
    assert thumbnail_keys(s3) == ["thumbnails/256/late/0.jpg", "thumbnails/256/late/1.jpg"], "the done ones kept"
    out = capsys.readouterr().out
    failed = [line for line in log_lines(out) if line["message"] == "record failed"]
    assert [(f["key"], f["reason"], f["transient"]) for f in failed] == [("late/2.jpg", NOT_TRIED, True)]
    metrics = [json.loads(line) for line in out.splitlines() if '"_aws"' in line and '"Reason"' not in line]
    assert (metrics[0]["Processed"], metrics[0]["TransientFailures"]) == (2, 1), "counted, not lost"


def test_the_first_change_is_always_tried_however_little_time_is_left(s3):
    """A function whose whole timeout is under the reserve (timeout = 1) still works: nothing was done before its
    first change, so trying it loses nothing; a timeout is then the invocation's, as before."""
    from .aws.test_events import sqs_batch

    put(s3, "one.jpg", jpeg())
    assert app.handler(sqs_batch("one.jpg"), Clock(900)) == {"batchItemFailures": []}
    assert thumbnail_keys(s3) == ["thumbnails/256/one.jpg"]
