"""How localaws delivers S3 changes to a function through SQS, SNS and EventBridge, as AWS does.

A recording function writes every event it receives to a bucket, so each test reads exactly what arrived.
"""

from __future__ import annotations

import json
import uuid

import pytest

from devkit.endpoint import wait_for
from localaws.outcome import Outcome
from localaws.sqspoller import failed_message_ids

RECORDER = """
import json, os, uuid, boto3
def handler(event, context):
    boto3.client("s3").put_object(Bucket=os.environ["SEEN"], Key=str(uuid.uuid4()), Body=json.dumps(event))
    bad = [r["messageId"] for r in event.get("Records", []) if r.get("body") == "bad"]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in bad]}
"""


@pytest.fixture
def recorder(client, deploy):
    """(function ARN, a function that returns every event received so far)."""
    seen = f"seen-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=seen)
    arn = deploy(f"recorder-{seen}", RECORDER, env={"SEEN": seen})

    def events() -> list[dict]:
        s3 = client("s3")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=seen).get("Contents", [])]
        return [json.loads(s3.get_object(Bucket=seen, Key=k)["Body"].read()) for k in keys]

    return arn, events


def queue(client, name: str, **attributes: str) -> tuple[str, str]:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def count(client, url: str) -> int:
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_sqs_mapping_delivers_one_batch_and_keeps_only_the_reported_failure(client, recorder):
    arn, events = recorder
    dlq_url, dlq_arn = queue(client, "batch-dlq")
    url, queue_arn = queue(
        client,
        "batch",
        VisibilityTimeout="1",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
    )
    mapping = client("lambda").create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName=arn,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    bodies = [f"good-{i}" for i in range(9)] + ["bad"]
    sent = client("sqs").send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)]
    )
    assert len(sent["Successful"]) == 10, "SendMessageBatch returns at once; nothing ran inside it"
    wait_for(lambda: count(client, dlq_url) == 1, 30, "the reported message in the dead-letter queue")
    first, *retries = sorted(events(), key=lambda e: -len(e["Records"]))
    assert sorted(r["body"] for r in first["Records"]) == sorted(bodies), "one batch of ten"
    assert all([r["body"] for r in e["Records"]] == ["bad"] for e in retries), "only the failure came back"
    assert {r["eventSource"] for r in first["Records"]} == {"aws:sqs"}
    assert {r["eventSourceARN"] for r in first["Records"]} == {queue_arn}
    assert count(client, url) == 0, "the nine successes were deleted, the failure went on to the DLQ"
    dead = client("sqs").receive_message(QueueUrl=dlq_url)["Messages"]
    assert [m["Body"] for m in dead] == ["bad"]
    client("lambda").delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_deleted_mapping_delivers_nothing(client, recorder):
    arn, events = recorder
    url, queue_arn = queue(client, "unmapped")
    mapping = client("lambda").create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=arn)
    client("lambda").delete_event_source_mapping(UUID=mapping["UUID"])
    client("sqs").send_message(QueueUrl=url, MessageBody="hello")
    assert client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"] == "hello"
    assert events() == []


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"batchItemFailures": []}, set()),
        (None, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a", "b"}),  # not in the batch: all fail
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, {"a", "b"}),
    ],
)
def test_partial_batch_responses_are_read_as_lambda_reads_them(payload, expected):
    mapping = type("ESM", (), {"function_response_types": ["ReportBatchItemFailures"], "function_arn": "fn"})()
    outcome = Outcome("r", json.dumps(payload).encode(), None, "", 1.0)
    assert failed_message_ids(mapping, outcome, {"a", "b"}) == expected
    assert failed_message_ids(mapping, Outcome("r", b"not json", None, "", 1.0), {"a", "b"}) == {"a", "b"}
    assert failed_message_ids(mapping, Outcome("r", b"{}", "Unhandled", "", 1.0), {"a", "b"}) == {"a", "b"}
    plain = type("ESM", (), {"function_response_types": None, "function_arn": "fn"})()
    assert failed_message_ids(plain, outcome, {"a", "b"}) == set(), "without the setting the response is ignored"


def test_s3_to_sns_to_lambda_is_asynchronous_and_carries_the_s3_record(aws, client, recorder):
    arn, events = recorder
    sns, s3 = client("sns"), client("s3")
    topic = sns.create_topic(Name="bucket-events")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    s3.create_bucket(Bucket="fanned-out")
    s3.put_bucket_notification_configuration(
        Bucket="fanned-out",
        NotificationConfiguration={"TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]},
    )
    s3.put_object(Bucket="fanned-out", Key="dir/a+b c.jpg", Body=b"x")
    found = wait_for(lambda: len(events()) == 2 and events(), 30, "the test event and the upload, through SNS")
    records = [e["Records"][0] for e in found]
    assert {r["EventSource"] for r in records} == {"aws:sns"} and {r["Sns"]["Type"] for r in records} == {
        "Notification"
    }
    messages = [json.loads(r["Sns"]["Message"]) for r in records]
    assert [m.get("Event") for m in messages].count("s3:TestEvent") == 1, "S3 tests a topic when it is configured"
    [s3_record] = [m["Records"][0] for m in messages if "Records" in m]
    assert s3_record["s3"]["object"]["key"] == "dir/a%2Bb+c.jpg", "form-encoded, slashes kept, as S3 sends it"
    assert s3_record["s3"]["object"]["sequencer"], "S3 puts a sequencer in every record"


def test_s3_to_eventbridge_to_lambda_matches_the_default_bus_rules(aws, client, recorder):
    arn, events = recorder
    s3, bridge = client("s3"), client("events")
    s3.create_bucket(Bucket="bridged")
    s3.put_bucket_notification_configuration(
        Bucket="bridged", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    bridge.put_rule(
        Name="bridged-objects",
        EventPattern=json.dumps(
            {
                "source": ["aws.s3"],
                "detail-type": ["Object Created", "Object Deleted"],
                "detail": {"bucket": {"name": ["bridged"]}},
            }
        ),
    )
    bridge.put_targets(Rule="bridged-objects", Targets=[{"Id": "recorder", "Arn": arn}])
    bridge.put_rule(Name="other-bucket", EventPattern=json.dumps({"detail": {"bucket": {"name": ["other"]}}}))
    bridge.put_targets(Rule="other-bucket", Targets=[{"Id": "recorder", "Arn": arn}])
    s3.put_object(Bucket="bridged", Key="dir/a+b c.jpg", Body=b"x")
    s3.delete_object(Bucket="bridged", Key="dir/a+b c.jpg")
    found = wait_for(lambda: len(events()) == 2 and events(), 30, "two EventBridge deliveries")
    by_type = {e["detail-type"]: e for e in found}
    created, deleted = by_type["Object Created"], by_type["Object Deleted"]
    assert created["source"] == "aws.s3" and created["resources"] == ["arn:aws:s3:::bridged"]
    assert created["detail"]["object"]["key"] == "dir/a%2Bb+c.jpg", "URL-encoded, as S3 sends it"
    assert created["detail"]["reason"] == "PutObject" and created["detail"]["object"]["size"] == 1
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"
    assert deleted["detail"]["object"]["sequencer"] > created["detail"]["object"]["sequencer"]


def test_s3_notification_records_carry_version_and_sequencer(aws, client, recorder):
    arn, events = recorder
    s3 = client("s3")
    s3.create_bucket(Bucket="versioned-watch")
    s3.put_bucket_versioning(Bucket="versioned-watch", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket="versioned-watch",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    version = s3.put_object(Bucket="versioned-watch", Key="v.jpg", Body=b"x")["VersionId"]
    [event] = wait_for(events, 30, "the S3 delivery")
    obj = event["Records"][0]["s3"]["object"]
    assert obj["versionId"] == version and len(obj["sequencer"]) == 18
