"""Pins seam items 2 and 3 (localaws/seam/s3_notifications.py) against the pinned moto, and checks that the records
localaws sends have the shape of S3's own, recorded in events/."""

from __future__ import annotations

import inspect
import json
import uuid

import pytest
from botocore.exceptions import ClientError
from moto.s3 import notifications

from .shapes import recorded, shape

KEY = "photos/summer holiday/café + friends.jpg"


def test_s3_notification_hook_signature():
    assert list(inspect.signature(notifications._invoke_awslambda).parameters) == [
        "account_id",
        "event_body",
        "fn_arn",
        "region_name",
    ]
    assert "_invoke_awslambda(" in inspect.getsource(notifications.send_event)


def test_s3_record_builder_signature():
    assert list(inspect.signature(notifications._get_s3_event).parameters) == [
        "event_name",
        "bucket",
        "key",
        "notification_id",
    ]
    assert "_get_s3_event(" in inspect.getsource(notifications.send_event)


def test_s3_test_event_builder_signature():
    assert list(inspect.signature(notifications._get_test_event).parameters) == ["bucket_name"]
    assert "_get_test_event(" in inspect.getsource(notifications.send_test_event)
    assert "RequestId" not in inspect.getsource(notifications._get_test_event), (
        "moto writes the test event's RequestId now: drop seam item 14"
    )


def records(sqs, queue: str, count: int) -> list[dict]:
    """``count`` records from ``queue``, after the test event S3 sends when a queue is configured (its shape
    checked too)."""
    found: list[dict] = []
    while len(found) < count + 1:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])
        assert messages, f"only {len(found)} of {count} records and the test event arrived"
        found += [json.loads(m["Body"]) for m in messages]
    test_event, *found = found
    assert shape(test_event) == shape(recorded("s3-test-event.json"))
    return found


def notifying_bucket(s3, sqs, versioned: bool) -> tuple[str, str]:
    name = f"shapes-{uuid.uuid4().hex[:8]}"
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]
        },
    )
    return name, queue


def test_records_have_the_keys_of_s3s_own(aws, client):
    s3, sqs = client("s3"), client("sqs")
    bucket, queue = notifying_bucket(s3, sqs, versioned=False)
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"x")
    s3.delete_object(Bucket=bucket, Key=KEY)
    put, delete = records(sqs, queue, 2)
    assert shape(put) == shape(recorded("s3-put-encoded-key.json")) == shape(recorded("s3-put.json"))
    assert shape(delete) == shape(recorded("s3-delete.json"))

    bucket, queue = notifying_bucket(s3, sqs, versioned=True)
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"x")
    s3.delete_object(Bucket=bucket, Key=KEY)
    _, marker = records(sqs, queue, 2)
    assert shape(marker) == shape(recorded("s3-delete-marker.json"))


def test_notification_configuration_is_still_saved_unchecked_upstream():
    from moto.s3.models import FakeBucket, S3Backend

    assert list(inspect.signature(S3Backend.put_bucket_notification_configuration).parameters) == [
        "self", "bucket_name", "notification_config"
    ]  # fmt: skip
    source = inspect.getsource(FakeBucket.set_notification_configuration)
    assert "overlap" not in source and "ambiguous" not in source, "moto refuses overlaps now: drop seam item 16"


def lambda_rule(arn: str, events: list[str], prefix: str = "", suffix: str = "") -> dict:
    rules = [{"Name": n, "Value": v} for n, v in (("prefix", prefix), ("suffix", suffix)) if v]
    rule: dict = {"LambdaFunctionArn": arn, "Events": events}
    if rules:
        rule["Filter"] = {"Key": {"FilterRules": rules}}
    return rule


def queue_rule(arn: str, events: list[str], prefix: str = "", suffix: str = "") -> dict:
    rule = lambda_rule(arn, events, prefix, suffix)
    rule["QueueArn"] = rule.pop("LambdaFunctionArn")
    return rule


def test_overlapping_rules_are_refused_with_s3s_error(aws, client, deploy):
    s3, sqs = client("s3"), client("sqs")
    name = f"overlap-{uuid.uuid4().hex[:8]}"
    fn = deploy(name, "def handler(event, context):\n    return None\n")
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    kept = {"QueueConfigurations": [queue_rule(arn, ["s3:ObjectCreated:*"], prefix="invoices/")]}
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=kept)

    refused = [
        # the README's trigger = "none" snippet as it was: an unfiltered queue rule beside the module's rules
        [queue_rule(arn, ["s3:ObjectCreated:*"]), lambda_rule(fn, ["s3:ObjectCreated:*"], "uploads/", ".jpg")],
        # a wildcard covers its events; a shorter prefix starts the longer one, ".jpg" ends "cat.jpg"
        [queue_rule(arn, ["s3:ObjectCreated:Put"], "up"), lambda_rule(fn, ["s3:ObjectCreated:*"], "uploads/")],
        [
            queue_rule(arn, ["s3:ObjectCreated:*"], suffix="cat.jpg"),
            lambda_rule(fn, ["s3:ObjectCreated:*"], "", ".jpg"),
        ],
    ]
    for rules in refused:
        config = {
            "QueueConfigurations": [r for r in rules if "QueueArn" in r],
            "LambdaFunctionConfigurations": [r for r in rules if "LambdaFunctionArn" in r],
        }
        with pytest.raises(ClientError) as refusal:
            s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=config)
        assert refusal.value.response["Error"]["Code"] == "InvalidArgument"
        assert refusal.value.response["Error"]["Message"] == (
            "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are "
            "overlapping for the same event type."
        )
        saved = s3.get_bucket_notification_configuration(Bucket=name)
        assert saved["QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"][0]["Value"] == "invoices/"
        assert "LambdaFunctionConfigurations" not in saved, "a refused configuration leaves the bucket's as it was"

    accepted = [
        # the snippet as it is now: the owner's rule under its own prefix
        [queue_rule(arn, ["s3:ObjectCreated:*"], "invoices/"), lambda_rule(fn, ["s3:ObjectCreated:*"], "uploads/")],
        # the same prefix, suffixes that do not end one another; or other event types
        [
            lambda_rule(fn, ["s3:ObjectCreated:*"], "uploads/", ".jpg"),
            queue_rule(arn, ["s3:ObjectCreated:*"], "uploads/", ".png"),
        ],
        [queue_rule(arn, ["s3:ObjectRemoved:*"]), lambda_rule(fn, ["s3:ObjectCreated:*"])],
    ]
    for rules in accepted:
        config = {
            "QueueConfigurations": [r for r in rules if "QueueArn" in r],
            "LambdaFunctionConfigurations": [r for r in rules if "LambdaFunctionArn" in r],
        }
        s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=config)
