"""Every recorded event shape in ``events/`` replayed through ``app.handler`` under moto, outcome asserted.

The recorded files name the bucket ``amzn-s3-demo-bucket`` and the key
``photos/summer holiday/café + friends.jpg`` (URL-encoded where the service encodes it); ``recorded()`` swaps in
the test's bucket and, where asked, another key, encoded the way S3 encodes keys.
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from botocore.exceptions import ClientError

import app
from thumbnailer.aws.events import parse_event
from thumbnailer.errors import RetryableError, UnsupportedEvent

from ..conftest import EVENTS, SOURCE, invoke, log_lines, thumbnail_keys
from ..images import encode, jpeg, photo

RECORDED_KEY = "photos/summer holiday/café + friends.jpg"
ENCODED_KEY = "photos/summer+holiday/caf%C3%A9+%2B+friends.jpg"
# Keys that go wrong when a shape's encoding is misread: spaces, '+', a literal '%2B', non-ASCII, a literal '%'.
AWKWARD_KEYS = ["summer holiday/café + friends.jpg", "a+b%2Bc.jpg", "사진/고양이.jpg", "100% real.jpg"]

CREATED = [
    "sqs-s3-put.json",
    "sqs-sns-s3-put.json",
    "sns-s3-put.json",
    "eventbridge-object-created.json",
    "eventbridge-object-restore-completed.json",
    "sqs-eventbridge-object-created.json",
    "s3-restore-completed.json",
    "batch-operations-1.0.json",
    "batch-operations-2.0.json",
]
REMOVED = ["s3-delete.json", "s3-lifecycle-expiration.json", "eventbridge-object-deleted.json", "sns-s3-delete.json"]
DELETE_MARKERS = ["s3-delete-marker.json", "eventbridge-object-deleted-marker.json"]
UNCHANGED = ["s3-tagging.json", "s3-acl.json", "s3-lifecycle-transition.json", "eventbridge-object-tags-added.json"]


def recorded(name: str, key: str | None = None) -> dict:
    text = (EVENTS / name).read_text().replace("amzn-s3-demo-bucket", SOURCE)
    if key is not None:
        text = text.replace(ENCODED_KEY, quote_plus(key, safe="/"))
    return json.loads(text)


def thumbnail(key: str) -> str:
    return f"thumbnails/256/{key}"


def make_thumbnails_of(s3, key: str, data: bytes | None = None) -> None:
    s3.put_object(Bucket=SOURCE, Key=key, Body=data or jpeg(400, 300))
    invoke(recorded("sqs-s3-put.json", key))
    assert thumbnail_keys(s3) == [thumbnail(key)]


def test_every_recorded_event_is_replayed_by_a_test():
    """Each file of events/ is named by some test under tests/function (not only listed here): parsed, so a name
    in a comment or in this test does not count."""
    named: set[str] = set()
    for path in Path(__file__).parents[1].rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if getattr(node, "name", None) != "test_every_recorded_event_is_replayed_by_a_test":
                named |= {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    unreplayed = sorted(p.name for p in EVENTS.glob("*.json") if p.name not in named)
    assert unreplayed == [], f"replay {unreplayed} in a test of tests/function (the lists above, or a test of its own)"


def test_the_tutorials_sample_event_makes_a_thumbnail(s3):
    """events/dummyS3Event.json is the sample of AWS's thumbnail tutorial, the event a newcomer tries first: its
    placeholders BUCKET-NAME and FILE-NAME stand for the bucket and the key."""
    text = (EVENTS / "dummyS3Event.json").read_text()
    event = json.loads(text.replace("BUCKET-NAME", SOURCE).replace("FILE-NAME", "uploads/HappyFace.jpg"))
    s3.put_object(Bucket=SOURCE, Key="uploads/HappyFace.jpg", Body=jpeg(400, 300))
    response = invoke(event)
    assert [p["key"] for p in response["processed"]] == ["uploads/HappyFace.jpg"]
    assert thumbnail_keys(s3) == [thumbnail("uploads/HappyFace.jpg")]


@pytest.mark.parametrize("key", AWKWARD_KEYS + [RECORDED_KEY])
@pytest.mark.parametrize("name", CREATED)
def test_created_shapes_make_thumbnails(s3, name, key):
    s3.put_object(Bucket=SOURCE, Key=key, Body=jpeg(400, 300))
    response = invoke(recorded(name, key))
    assert thumbnail_keys(s3) == [thumbnail(key)]
    if name.startswith("sqs-"):
        assert response == {"batchItemFailures": []}
    elif name.startswith("batch-"):
        event = recorded(name)
        assert response["invocationSchemaVersion"] == event["invocationSchemaVersion"]
        assert response["invocationId"] == event["invocationId"]
        assert response["treatMissingKeysAs"] == "PermanentFailure"
        [result] = response["results"]
        assert result["taskId"] == event["tasks"][0]["taskId"]
        assert (result["resultCode"], result["resultString"]) == ("Succeeded", "processed 1 thumbnail(s)")
    else:
        assert [p["key"] for p in response["processed"]] == [key]


@pytest.mark.parametrize("key", AWKWARD_KEYS)
@pytest.mark.parametrize("name", REMOVED)
def test_removed_shapes_delete_the_thumbnails(s3, name, key):
    make_thumbnails_of(s3, key)
    s3.delete_object(Bucket=SOURCE, Key=key)
    response = invoke(recorded(name, key))
    assert thumbnail_keys(s3) == []
    assert response["deleted"] == [{"bucket": SOURCE, "key": key, "thumbnails": [thumbnail(key)]}]
    again = invoke(recorded(name, key))
    assert again["failed"] == [] and again["skipped"][0]["reason"].endswith("no longer exists and has no thumbnails")


@pytest.mark.parametrize("name", DELETE_MARKERS)
def test_delete_marker_removes_the_thumbnails(s3, name):
    s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    make_thumbnails_of(s3, RECORDED_KEY)
    assert s3.delete_object(Bucket=SOURCE, Key=RECORDED_KEY)["DeleteMarker"]
    assert invoke(recorded(name))["deleted"][0]["thumbnails"] == [thumbnail(RECORDED_KEY)]
    assert thumbnail_keys(s3) == []


def test_removing_a_non_current_version_keeps_the_thumbnails(s3):
    s3.put_bucket_versioning(Bucket=SOURCE, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=SOURCE, Key=RECORDED_KEY, Body=jpeg(300, 300))["VersionId"]
    make_thumbnails_of(s3, RECORDED_KEY)
    s3.delete_object(Bucket=SOURCE, Key=RECORDED_KEY, VersionId=old)
    response = invoke(recorded("s3-delete.json"))
    assert response["skipped"][0]["reason"] == (
        "ObjectRemoved:Delete: the object still exists (a non-current version went)"
    )
    assert thumbnail_keys(s3) == [thumbnail(RECORDED_KEY)]


class Untouchable:
    def __getattr__(self, name: str):
        raise AssertionError(f"S3 was called ({name}) for an event that changes no pixel")


@pytest.mark.parametrize("name", UNCHANGED)
def test_events_that_change_no_pixel_are_skipped_without_touching_s3(s3, monkeypatch, name, capsys):
    monkeypatch.setattr(app, "s3_client", functools.cache(Untouchable))
    response = invoke(recorded(name))
    event_name = recorded(name).get("detail-type") or recorded(name)["Records"][0]["eventName"]
    assert response["skipped"] == [
        {"bucket": SOURCE, "key": RECORDED_KEY, "reason": f"{event_name}: the picture did not change"}
    ]
    assert log_lines(capsys.readouterr().out)[0]["level"] == "INFO"


def test_a_hand_made_record_without_event_source_is_read_as_s3(s3):
    s3.put_object(Bucket=SOURCE, Key="hand made.jpg", Body=jpeg())
    record = {"s3": {"bucket": {"name": SOURCE}, "object": {"key": "hand+made.jpg"}}}
    assert invoke({"Records": [record]})["processed"][0]["key"] == "hand made.jpg"


def test_test_event_in_a_queue_is_acknowledged_quietly(s3, capsys):
    assert invoke(recorded("sqs-s3-test-event.json")) == {"batchItemFailures": []}
    [line] = log_lines(capsys.readouterr().out)
    assert (line["level"], line["message"]) == ("INFO", "S3 test event acknowledged")


@pytest.mark.parametrize(
    "event, named",
    [
        (recorded("s3-object-lambda.json"), "an S3 Object Lambda request"),
        ({"httpMethod": "GET", "path": "/", "headers": {}}, "keys [headers, httpMethod, path]"),
        ({"Records": []}, "an empty Records list"),
        ({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification", "detail": {}}, "'aws.ec2'"),
        ({"Records": [{"eventSource": "aws:s3"}, {"eventSource": "aws:dynamodb"}]}, "['aws:dynamodb', 'aws:s3']"),
        ([1, 2], "got list"),
    ],
)
def test_anything_else_is_rejected_naming_what_arrived(s3, event, named, capsys):
    with pytest.raises(UnsupportedEvent) as raised:
        invoke(event)
    assert named in str(raised.value)
    [line] = log_lines(capsys.readouterr().out)
    assert (line["level"], line["message"]) == ("ERROR", "unsupported event") and named in line["reason"]


def throttle(monkeypatch, *keys: str) -> None:
    client = app.s3_client()
    real = client.get_object

    def get_object(**kw):
        if kw["Key"] in keys:
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"}}, "GetObject")
        return real(**kw)

    monkeypatch.setattr(client, "get_object", get_object)


def sqs_batch(*keys: str) -> dict:
    template = recorded("sqs-s3-put.json")["Records"][0]
    records = []
    for i, key in enumerate(keys):
        record = json.loads(json.dumps(template).replace(json.dumps(ENCODED_KEY)[1:-1], quote_plus(key, safe="/")))
        record["messageId"] = f"message-{i}"
        records.append(record)
    return {"Records": records}


def test_queue_batch_names_only_the_transiently_failed_messages(s3, monkeypatch, tmp: Path, capsys):
    keys = [f"batch/{i}.jpg" for i in range(10)]
    for key in keys:
        s3.put_object(Bucket=SOURCE, Key=key, Body=jpeg(300, 200))
    s3.put_object(Bucket=SOURCE, Key=keys[4], Body=b"not a picture")  # can never succeed
    throttle(monkeypatch, keys[7])  # can succeed later
    event = sqs_batch(*keys)
    event["Records"][2]["body"] = "this is not JSON"  # a malformed message: never succeeds either
    assert invoke(event) == {"batchItemFailures": [{"itemIdentifier": "message-7"}]}
    made = {k.removeprefix("thumbnails/256/") for k in thumbnail_keys(s3)}
    assert made == set(keys) - {keys[2], keys[4], keys[7]}
    errors = log_lines(capsys.readouterr().out)
    errors = {e["item"]: e["reason"] for e in errors if e["level"] == "ERROR"}
    assert set(errors) == {"message-2", "message-4", "message-7"}
    assert errors["message-2"] == "the message is not JSON, so not an S3 event"
    assert list(tmp.iterdir()) == []


def test_sns_transient_failure_fails_the_invocation_for_lambda_to_retry(s3, monkeypatch):
    s3.put_object(Bucket=SOURCE, Key=RECORDED_KEY, Body=jpeg())
    throttle(monkeypatch, RECORDED_KEY)
    with pytest.raises(RetryableError, match="SlowDown"):
        invoke(recorded("sns-s3-put.json"))


def test_eventbridge_transient_failure_fails_the_invocation(s3, monkeypatch):
    s3.put_object(Bucket=SOURCE, Key=RECORDED_KEY, Body=jpeg())
    throttle(monkeypatch, RECORDED_KEY)
    with pytest.raises(RetryableError, match="SlowDown"):
        invoke(recorded("eventbridge-object-created.json"))


def test_batch_operations_reports_every_task_and_never_raises(s3, monkeypatch):
    event = recorded("batch-operations-2.0.json")
    task = event["tasks"][0]
    names = {"ok.jpg": jpeg(), "text.jpg": b"not a picture", "busy.jpg": jpeg()}
    for key, data in names.items():
        s3.put_object(Bucket=SOURCE, Key=key, Body=data)
    event["tasks"] = [{**task, "taskId": key, "s3Key": quote_plus(key)} for key in [*names, "gone.jpg", "bug.png"]]
    s3.put_object(Bucket=SOURCE, Key="bug.png", Body=encode(photo(64, 64), "PNG"))
    throttle(monkeypatch, "busy.jpg")
    monkeypatch.setattr("thumbnailer.pipeline.thumbnail_key", _bug_for("bug.png"))
    results = {r["taskId"]: (r["resultCode"], r["resultString"]) for r in invoke(event)["results"]}
    assert results["ok.jpg"] == ("Succeeded", "processed 1 thumbnail(s)")
    assert results["text.jpg"][0] == "PermanentFailure" and "not an image" in results["text.jpg"][1]
    assert results["busy.jpg"][0] == "TemporaryFailure" and "SlowDown" in results["busy.jpg"][1]
    assert results["gone.jpg"] == (
        "Succeeded",
        "skipped: BatchOperations: the object no longer exists and has no thumbnails",
    )
    assert results["bug.png"] == ("PermanentFailure", "failed: unexpected RuntimeError: a bug")


def _bug_for(bad_key: str):
    from thumbnailer.keys import thumbnail_key

    def key(prefix, size, source_key, source_format, fmt, **options):
        if source_key == bad_key:
            raise RuntimeError("a bug")
        return thumbnail_key(prefix, size, source_key, source_format, fmt, **options)

    return key


def test_removal_deletes_every_size_and_every_format_ever_written(s3, env):
    env.setenv("THUMBNAIL_SIZES", "512,128")
    s3.put_object(Bucket=SOURCE, Key="a.png", Body=encode(photo(800, 600), "PNG"))
    invoke(recorded("sqs-s3-put.json", "a.png"))
    app.settings.cache_clear()
    env.setenv("OUTPUT_FORMAT", "webp")  # the configuration changed since: another set of thumbnails
    invoke(recorded("sqs-s3-put.json", "a.png"))
    assert len(thumbnail_keys(s3)) == 4
    s3.delete_object(Bucket=SOURCE, Key="a.png")
    assert sorted(invoke(recorded("s3-delete.json", "a.png"))["deleted"][0]["thumbnails"]) == [
        "thumbnails/128/a.png",
        "thumbnails/128/a.png.webp",
        "thumbnails/512/a.png",
        "thumbnails/512/a.png.webp",
    ]
    assert thumbnail_keys(s3) == []


def test_removal_leaves_a_lookalike_thumbnail_of_another_source(s3):
    s3.put_object(Bucket=SOURCE, Key="cat.gif.png", Body=encode(photo(64, 64), "PNG"))
    invoke(recorded("sqs-s3-put.json", "cat.gif.png"))  # thumbnails/256/cat.gif.png, of cat.gif.png
    response = invoke(recorded("s3-delete.json", "cat.gif"))  # cat.gif's GIF thumbnail would have that key too
    assert response["deleted"] == [] and thumbnail_keys(s3) == ["thumbnails/256/cat.gif.png"]


def test_delete_thumbnails_off_keeps_them(s3, env):
    env.setenv("DELETE_THUMBNAILS", "false")
    make_thumbnails_of(s3, "keep.jpg")
    s3.delete_object(Bucket=SOURCE, Key="keep.jpg")
    response = invoke(recorded("s3-delete.json", "keep.jpg"))
    assert response["skipped"][0]["reason"] == "ObjectRemoved:Delete: DELETE_THUMBNAILS is off"
    assert thumbnail_keys(s3) == [thumbnail("keep.jpg")]


@pytest.mark.parametrize(
    "named, bucket",
    [
        ({"s3BucketArn": "arn:aws:s3:::amzn-s3-demo-bucket"}, "amzn-s3-demo-bucket"),  # the S3 user guide's
        ({"s3BucketArn": "arn:aws:s3:us-east-1:0123456788:awsexamplebucket1"}, "awsexamplebucket1"),  # Lambda's
        ({"s3BucketArn": "arn:aws-cn:s3:::my.photos"}, "my.photos"),
        (
            {"s3BucketArn": "arn:aws:s3express:us-west-2:111122223333:bucket/shots--usw2-az1--x-s3"},
            "shots--usw2-az1--x-s3",
        ),
        ({"s3Bucket": "amzn-s3-demo-bucket"}, "amzn-s3-demo-bucket"),  # schema 2.0
    ],
)
def test_a_batch_task_names_its_bucket_in_any_form_aws_uses(named, bucket):
    event = {
        "invocationSchemaVersion": "1.0",
        "invocationId": "i",
        "tasks": [{"taskId": "t", "s3Key": "a.jpg", **named}],
    }
    (item,) = parse_event(event).items
    assert item.error is None and [c.bucket for c in item.changes] == [bucket]


@pytest.mark.parametrize(
    "named",
    [{"s3BucketArn": "arn:aws:s3:::"}, {"s3BucketArn": "not-an-arn"}, {"s3Bucket": "Not_A_Bucket!"},
     {"s3BucketArn": "arn:aws:sqs:us-east-1:111122223333:queue"}, {"s3Bucket": "x" * 64}],
)  # fmt: skip
def test_a_batch_task_that_names_no_bucket_is_a_permanent_failure(s3, named):
    event = {
        "invocationSchemaVersion": "2.0",
        "invocationId": "i",
        "tasks": [{"taskId": "t", "s3Key": "a.jpg", **named}],
    }
    (result,) = invoke(event)["results"]
    assert (result["taskId"], result["resultCode"]) == ("t", "PermanentFailure"), "never retried"
    assert "not an S3 bucket" in result["resultString"]
