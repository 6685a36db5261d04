"""Pins seam items 6 and 7 (localaws/seam/eventbridge.py) against the pinned moto, and checks that the events
localaws sends to EventBridge have the shape of S3's own, recorded in events/."""

from __future__ import annotations

import inspect
import json
import uuid

from moto.events import models as events_models
from moto.s3 import notifications

from .shapes import recorded, shape

KEY = "photos/summer holiday/café + friends.jpg"


def test_eventbridge_message_builder_signature():
    assert list(inspect.signature(notifications._send_event_bridge_message).parameters) == [
        "account_id",
        "bucket",
        "event_name",
        "key",
    ]
    assert "_send_event_bridge_message(" in inspect.getsource(notifications.send_event)
    s3_events = inspect.getsource(notifications._send_event_bridge_message)
    assert '"key": key.name' in s3_events, "moto now encodes EventBridge keys: drop seam item 6's encoding"


def test_eventbridge_rule_hook_and_the_gap_it_fills():
    assert list(inspect.signature(events_models.Rule.send_to_targets).parameters) == [
        "self",
        "original_event",
        "transform_input",
    ]
    source = inspect.getsource(events_models.Rule.send_to_targets)
    assert '"lambda"' not in source, "moto now delivers to Lambda targets itself: drop seam item 7"


def test_events_have_the_keys_of_s3s_own(aws, client):
    s3, sqs, events = client("s3"), client("sqs"), client("events")
    name = f"shapes-{uuid.uuid4().hex[:8]}"
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}})
    pattern = {"source": ["aws.s3"], "detail": {"bucket": {"name": [name]}}}
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn}])

    put = s3.put_object(Bucket=name, Key=KEY, Body=b"x")
    marker = s3.delete_object(Bucket=name, Key=KEY)  # a delete marker
    s3.delete_object(Bucket=name, Key=KEY, VersionId=marker["VersionId"])  # (moto sends no event for this one)
    s3.delete_object(Bucket=name, Key=KEY, VersionId=put["VersionId"])  # the last version: permanently deleted
    found: list[dict] = []
    while len(found) < 3:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])
        assert messages, f"only {len(found)} of 3 events arrived"
        found += [json.loads(m["Body"]) for m in messages]
    by_kind = {(e["detail-type"], e["detail"].get("deletion-type")): e for e in found}
    assert shape(by_kind["Object Created", None]) == shape(recorded("eventbridge-object-created.json"))
    created_marker = by_kind["Object Deleted", "Delete Marker Created"]
    assert shape(created_marker) == shape(recorded("eventbridge-object-deleted-marker.json"))
    deleted = by_kind["Object Deleted", "Permanently Deleted"]
    assert shape(deleted) == shape(recorded("eventbridge-object-deleted.json"))
