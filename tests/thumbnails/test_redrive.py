"""``thumbnails redrive``: after an outage of S3's reads (a chaos rule on localaws) the function's failed events wait
in its on-failure destination; redrive processes each object as it is now, removes what succeeded and says why the
rest is left. The real function runs (devkit/localfunction.py), on localaws in this process."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator

import pytest
from PIL import Image

from devkit.localfunction import code_dir, deploy
from localaws.server import LocalAWS
from tests.localaws.conftest import wait_for
from thumbnails import cli, redrive

READS = ("GetObject", "HeadObject", "ListObjectsV2")  # the function's reads; the test writes with PutObject
OUTAGE = [{"service": "s3", "operation": op, "error": {"statusCode": 503, "code": "SlowDown"}} for op in READS]


@pytest.fixture(scope="module")
def aws(tmp_path_factory) -> Iterator[LocalAWS]:
    task = code_dir(tmp_path_factory.mktemp("redrive") / "task")
    with LocalAWS(port=0, retry_delay=0.05, hot_reload={"redrive-*": task}) as endpoint:
        yield endpoint


def picture(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def queued(client, url: str) -> int:
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def thumbnail_etag(client, bucket: str, key: str) -> str | None:
    try:
        return client("s3").head_object(Bucket=bucket, Key=f"thumbnails/64/{key}")["Metadata"]["source-etag"]
    except client("s3").exceptions.ClientError:
        return None


def test_redrive_brings_back_what_an_outage_left_and_says_why_the_rest_stays(aws, client, capsys):
    name = f"redrive-{uuid.uuid4().hex[:8]}"
    source, destination = f"{name}-src", f"{name}-dst"
    s3, sqs = client("s3"), client("sqs")
    for bucket in (source, destination):
        s3.create_bucket(Bucket=bucket)
    failures = sqs.create_queue(QueueName=f"{name}-failures")["QueueUrl"]
    failures_arn = sqs.get_queue_attributes(QueueUrl=failures, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = deploy(client("lambda"), client("iam"), name, source=source, destination=destination)
    client("lambda").put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": failures_arn}}
    )
    s3.put_bucket_notification_configuration(
        Bucket=source,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
            ]
        },
    )
    s3.put_object(Bucket=source, Key="kept.jpg", Body=picture("red"))
    wait_for(lambda: thumbnail_etag(client, destination, "kept.jpg"), "kept.jpg's thumbnail before the outage", 60)
    assert aws.invoker.wait_idle(60), "its invocation ended (it looks at the source again after writing)"

    aws.chaos.set_rules(OUTAGE)
    try:
        s3.put_object(Bucket=source, Key="a.jpg", Body=picture("green"))
        s3.put_object(Bucket=source, Key="b c.jpg", Body=picture("blue"))
        current = s3.put_object(Bucket=source, Key="a.jpg", Body=picture("white"))["ETag"].strip('"')
        s3.delete_object(Bucket=source, Key="kept.jpg")
        wait_for(lambda: queued(client, failures) == 4, "four failed events in the on-failure destination", 120)
        assert aws.invoker.wait_idle(60), "no try is left"
    finally:
        aws.chaos.set_rules([])

    code = cli.main(["redrive", "--function", name, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err + out
    summary = json.loads(out)
    assert (summary["messages"], summary["redriven"], summary["left"]) == (4, 4, [])
    assert summary["queues"][0]["first_failures"] == {"RetriesExhausted: RetryableError": 4}
    assert thumbnail_etag(client, destination, "a.jpg") == current, "the object as it is now, not the old event's"
    assert thumbnail_etag(client, destination, "b c.jpg"), "an encoded key, made"
    assert thumbnail_etag(client, destination, "kept.jpg") is None, "a deleted source's thumbnail removed"
    assert queued(client, failures) == 0

    s3.put_object(Bucket=source, Key="notes.jpg", Body=b"not a picture")  # refused, not retried: not queued
    sqs.send_message(QueueUrl=failures, MessageBody=json.dumps({"hello": "world"}))
    record = {
        "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": {"Records": [{"s3": {"bucket": {"name": source}, "object": {"key": "notes.jpg"}}}]},
        "responseContext": {"functionError": "Unhandled"},
        "responsePayload": {"errorType": "RetryableError", "errorMessage": "download: SlowDown"},
    }
    sqs.send_message(QueueUrl=failures, MessageBody=json.dumps(record))
    code = cli.main(["redrive", "--function", name])
    text = capsys.readouterr().out
    assert code == 1
    assert "0 of 2 message(s) processed again and removed, 2 left" in text
    assert "now: the message names no S3 object that can be read" in text
    assert f"s3://{source}/notes.jpg: PermanentFailure:" in text and "not an image" in text
    assert "first: RetriesExhausted: RetryableError: download: SlowDown" in text
    assert queued(client, failures) == 2, "what failed again stays in the queue"


S3_EVENT = {"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": "b"}, "object": {"key": "a+b%2B.jpg"}}}]}


@pytest.mark.parametrize(
    "body",
    [
        S3_EVENT,  # a classic dead-letter queue: the event itself
        {"requestContext": {}, "requestPayload": S3_EVENT, "responseContext": {}},  # an invocation record
        {"Type": "Notification", "Message": json.dumps(S3_EVENT)},  # SNS -> SQS, then dead-lettered
        {"Records": [{"eventSource": "aws:sqs", "body": json.dumps(S3_EVENT)}]},
        {
            "detail-type": "Object Created",
            "source": "aws.s3",
            "detail": {"bucket": {"name": "b"}, "object": {"key": "a+b%2B.jpg"}},
        },
    ],
)
def test_every_wrapping_of_a_failed_event_names_its_objects_decoded(body):
    assert redrive.objects(json.dumps(body)) == [("b", "a b+.jpg")]
    assert redrive.batch_event([("b", "a b+.jpg")])["tasks"][0]["s3Key"] == "a+b%2B.jpg"


def test_what_names_no_object_is_said_so_and_a_test_event_is_nothing_to_do():
    assert redrive.objects("not json") is None
    assert redrive.objects(json.dumps({"Records": [{"eventSource": "aws:s3"}]})) is None
    assert redrive.objects(json.dumps({"Event": "s3:TestEvent"})) == []


def test_a_dead_lettered_sqs_message_gets_the_reason_the_function_logged_for_it():
    line = {
        "level": "ERROR",
        "message": "record failed",
        "source": "sqs",
        "item": "m-1",
        "reason": "download: SlowDown",
    }
    assert redrive.reasons_in(json.dumps(line)) == {"m-1": "download: SlowDown"}
    assert redrive.reasons_in(json.dumps({**line, "source": "batch"})) == {}, "a Batch Operations task is no message"
    assert redrive.reasons_in("START RequestId: x") == {}
    queue = redrive.Queue("arn:aws:sqs:us-east-1:1:q-dlq", "url", "dead-letter queue of q")
    message = {"MessageId": "m-1", "Body": "{}", "Attributes": {"ApproximateReceiveCount": "5"}}
    assert redrive.first_failure(message, queue, {"m-1": "download: SlowDown"}) == (
        "download: SlowDown (received 5 time(s), dead-letter queue of q)"
    )
    assert "the function logged no reason" in redrive.first_failure(message, queue, {})
