"""S3 notifications as AWS sends them where moto does not: a delete in a versioned bucket leaves a delete marker
and sends s3:ObjectRemoved:DeleteMarkerCreated (seam item 11)."""

from __future__ import annotations

import json

from devkit.endpoint import wait_for

from . import test_deliveries

recorder = test_deliveries.recorder  # the fixture: a function that keeps every event it receives


def test_a_delete_marker_is_notified_with_its_version(aws, client):
    s3, sqs = client("s3"), client("sqs")
    queue = sqs.create_queue(QueueName="versioned-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket="versioned",
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]
        },
    )
    put = s3.put_object(Bucket="versioned", Key="a b.jpg", Body=b"x")
    marker = s3.delete_object(Bucket="versioned", Key="a b.jpg")
    assert marker["DeleteMarker"] is True
    records = []
    while len(records) < 2:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])
        assert messages, f"only {records} arrived"
        records += [r for m in messages for r in json.loads(m["Body"]).get("Records", [])]
    created, removed = records
    assert created["eventName"] == "ObjectCreated:Put" and created["s3"]["object"]["versionId"] == put["VersionId"]
    assert removed["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert removed["s3"]["object"]["key"] == "a+b.jpg" and removed["s3"]["object"]["versionId"] == marker["VersionId"]
    assert "size" not in removed["s3"]["object"] and "eTag" not in removed["s3"]["object"]
    assert removed["s3"]["object"]["sequencer"] > created["s3"]["object"]["sequencer"]

    s3.delete_object(Bucket="versioned", Key="a b.jpg", VersionId=marker["VersionId"])  # the picture is back
    s3.delete_object(Bucket="versioned", Key="a b.jpg", VersionId=put["VersionId"])  # permanently deleted


def test_a_bucket_with_delete_markers_empties_once_versioning_is_suspended(aws, client):
    """What `terraform destroy` does to a versioned bucket: suspend versioning, then delete every key."""
    s3 = client("s3")
    s3.create_bucket(Bucket="suspended")
    s3.put_bucket_versioning(Bucket="suspended", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="suspended", Key="a.jpg", Body=b"x")
    s3.delete_object(Bucket="suspended", Key="a.jpg")  # a delete marker on top
    s3.put_object(Bucket="suspended", Key="a.jpg", Body=b"y")
    s3.put_bucket_versioning(Bucket="suspended", VersioningConfiguration={"Status": "Suspended"})
    answer = s3.delete_objects(Bucket="suspended", Delete={"Objects": [{"Key": "a.jpg"}]})
    assert "Errors" not in answer, answer
    assert "Contents" not in s3.list_objects_v2(Bucket="suspended")


def test_a_delete_marker_reaches_eventbridge_as_delete_marker_created(aws, client, recorder):
    """EventBridge's "Object Deleted" with deletion-type "Delete Marker Created", as S3 sends it for a delete in a
    versioned bucket (seam item 11; moto sends nothing)."""
    arn, events = recorder
    s3, bridge = client("s3"), client("events")
    s3.create_bucket(Bucket="versioned-bridged")
    s3.put_bucket_versioning(Bucket="versioned-bridged", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket="versioned-bridged", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Deleted"],
        "detail": {"bucket": {"name": ["versioned-bridged"]}},
    }
    bridge.put_rule(Name="versioned-bridged-deleted", EventPattern=json.dumps(pattern))
    bridge.put_targets(Rule="versioned-bridged-deleted", Targets=[{"Id": "recorder", "Arn": arn}])
    s3.put_object(Bucket="versioned-bridged", Key="a b.jpg", Body=b"x")
    marker = s3.delete_object(Bucket="versioned-bridged", Key="a b.jpg")
    assert marker["DeleteMarker"] is True
    [event] = wait_for(lambda: events(), 30, "the delete marker's EventBridge event")
    assert event["detail-type"] == "Object Deleted" and event["source"] == "aws.s3"
    assert event["detail"]["deletion-type"] == "Delete Marker Created"
    assert (
        event["detail"]["object"]["key"] == "a+b.jpg" and event["detail"]["object"]["version-id"] == marker["VersionId"]
    )
