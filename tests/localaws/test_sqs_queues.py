"""SQS queue attributes as SQS returns them: RedrivePolicy is compact JSON (moto spaces it), so Terraform reads back
what it wrote and a second apply leaves a queue with a dead-letter queue alone."""

from __future__ import annotations

import json


def test_redrive_policy_reads_back_as_written(client):
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="redrive-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    written = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":"))
    queue = sqs.create_queue(QueueName="redrive-main", Attributes={"RedrivePolicy": written})["QueueUrl"]
    read = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert read["RedrivePolicy"] == written
    assert "RedrivePolicy" not in sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
