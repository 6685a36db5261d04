"""Pins seam item 19 (localaws/seam/cloudcontrol.py) against the pinned moto, and reads a bucket's notification
configuration through Cloud Control as the module's plan does."""

from __future__ import annotations

import inspect
import json

import boto3
import pytest
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from localaws.server import LocalAWS


def test_moto_has_no_cloud_control():
    """When moto serves Cloud Control itself, this fails: compare its GetResource for AWS::S3::Bucket with the
    seam's and drop seam item 19 if it answers NotificationConfiguration."""
    assert "cloudcontrol" not in backends.list_of_moto_modules()
    assert list(inspect.signature(DomainDispatcherApplication.get_application).parameters) == ["self", "environ"]


@pytest.fixture(scope="module")
def endpoint():
    with LocalAWS(port=0) as aws:
        yield aws.endpoint_url


def test_get_resource_answers_the_notification_configuration(endpoint):
    kw = {"endpoint_url": endpoint, "region_name": "us-east-1", "aws_access_key_id": "localaws",
          "aws_secret_access_key": "localaws"}  # fmt: skip
    s3, sqs, cc = boto3.client("s3", **kw), boto3.client("sqs", **kw), boto3.client("cloudcontrol", **kw)
    s3.create_bucket(Bucket="shared")
    url = sqs.create_queue(QueueName="other-team")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket="shared",
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "theirs",
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "docs/"}]}},
                }  # fmt: skip
            ],
            "EventBridgeConfiguration": {},
        },
    )
    found = cc.get_resource(TypeName="AWS::S3::Bucket", Identifier="shared")["ResourceDescription"]
    properties = json.loads(found["Properties"])
    assert found["Identifier"] == "shared" and properties["BucketName"] == "shared"
    rule = {"Queue": arn, "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "docs/"}]}}}
    assert properties["NotificationConfiguration"] == {
        "QueueConfigurations": [{"Event": "s3:ObjectCreated:*", **rule}, {"Event": "s3:ObjectRemoved:*", **rule}],
        "EventBridgeConfiguration": {"EventBridgeEnabled": True},
    }
    with pytest.raises(cc.exceptions.ResourceNotFoundException):
        cc.get_resource(TypeName="AWS::S3::Bucket", Identifier="no-such-bucket")
    s3.create_bucket(Bucket="quiet")
    quiet = cc.get_resource(TypeName="AWS::S3::Bucket", Identifier="quiet")["ResourceDescription"]["Properties"]
    assert "NotificationConfiguration" not in json.loads(quiet)
