"""The deployed function fed through SQS, SNS and EventBridge on localaws: uploads make thumbnails, deletes remove
them, and a queue batch reports only its transient failure.

Each test wires its own buckets and delivery with boto3 (the module's trigger modes are tested with the module)
and deploys the stack's function ZIP and layer again under another name.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter

import pytest

from devkit.endpoint import wait_for

from .test_pipeline import gone, module_policy, photo, thumbnail

# The complete stack is applied once per worker: the files that use it run on one worker, in file order.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("complete-stack")]

# Test-only: the real handler, with S3 throttling every GetObject of a key that contains "throttled".
CHAOS = """
from botocore.exceptions import ClientError
import app

def handler(event, context):
    client = app.s3_client()
    real = client.get_object

    def get_object(**kw):
        if "throttled" in kw["Key"]:
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"}}, "GetObject")
        return real(**kw)

    client.get_object = get_object
    return app.handler(event, context)
"""


@pytest.fixture(scope="module")
def deploy(stack, client):
    """Deploy the stack's function (code and layer) again as ``name``, writing to ``destination``, with a role of
    its own: the module's policy, for its buckets and log group (localaws authorises a function by its role).

    Everything these tests create on the shared endpoint is removed at the end, so the stack's own destroy test
    still finds nothing left.
    """
    lam, iam, out = client("lambda"), client("iam"), stack.outputs
    deployed = lam.get_function_configuration(FunctionName=out["function_name"])
    policy = json.dumps(module_policy(iam, deployed["Role"].rsplit("/", 1)[-1]))
    code = (stack.directory / stack.outputs["function_zip_path"]).read_bytes()
    made: list[tuple[str, list[str]]] = []

    def make(name: str, source: str, destination: str, handler: str = "app.handler") -> str:
        s3 = client("s3")
        for bucket in (source, destination):
            s3.create_bucket(Bucket=bucket)
        made.append((name, [source, destination]))
        mine = (
            policy.replace(f":::{out['source_bucket']}", f":::{source}")
            .replace(f":::{out['destination_bucket']}", f":::{destination}")
            .replace(f"/aws/lambda/{out['function_name']}:", f"/aws/lambda/{name}:")
            .replace(f":::{source}/uploads/*", f":::{source}/*")  # these tests' keys are anywhere in the bucket
            .replace('"uploads/*"', '"*"')
        )
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=deployed_trust(iam, deployed["Role"]))["Role"]
        iam.put_role_policy(RoleName=name, PolicyName="thumbnails", PolicyDocument=mine)
        archive = io.BytesIO(code)
        with zipfile.ZipFile(archive, "a") as zf:
            zf.writestr("chaos.py", CHAOS)
        return lam.create_function(
            FunctionName=name,
            Runtime=deployed["Runtime"],
            Role=role["Arn"],
            Handler=handler,
            Timeout=60,
            MemorySize=1024,
            Code={"ZipFile": archive.getvalue()},
            Layers=[layer["Arn"] for layer in deployed["Layers"]],
            Environment={"Variables": {"DESTINATION_BUCKET": destination, "THUMBNAIL_SIZES": "128"}},
        )["FunctionArn"]

    yield make
    remove_everything_but(client, made)


def deployed_trust(iam, role_arn: str) -> str:
    return json.dumps(iam.get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]["AssumeRolePolicyDocument"])


def remove_everything_but(client, made: list[tuple[str, list[str]]]) -> None:
    lam, s3, sqs, sns, bridge, logs = (client(s) for s in ("lambda", "s3", "sqs", "sns", "events", "logs"))
    for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    iam = client("iam")
    for name, buckets in made:
        lam.delete_function(FunctionName=name)
        iam.delete_role_policy(RoleName=name, PolicyName="thumbnails")
        iam.delete_role(RoleName=name)
        logs.delete_log_group(logGroupName=f"/aws/lambda/{name}")
        for bucket in buckets:
            for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
            s3.delete_bucket(Bucket=bucket)
    for rule in bridge.list_rules()["Rules"]:
        targets = [t["Id"] for t in bridge.list_targets_by_rule(Rule=rule["Name"])["Targets"]]
        if targets:
            bridge.remove_targets(Rule=rule["Name"], Ids=targets)
        bridge.delete_rule(Name=rule["Name"])
    for topic in sns.list_topics()["Topics"]:
        sns.delete_topic(TopicArn=topic["TopicArn"])
    for url in sqs.list_queues().get("QueueUrls", []):
        if url.rsplit("/", 1)[1].startswith("q-uploads"):
            sqs.delete_queue(QueueUrl=url)


def logged(client, function: str, key: str, outcome: str) -> bool:
    """The function's log has a record of ``key`` with ``outcome`` (localaws writes it when the invocation ends)."""
    try:
        events = client("logs").filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    except client("logs").exceptions.ResourceNotFoundException:
        return False
    lines = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    return any(line.get("key") == key and line.get("outcome") == outcome for line in lines)


def upload_then_delete(client, function: str, source: str, destination: str, key: str) -> None:
    s3 = client("s3")
    s3.put_object(Bucket=source, Key=key, Body=photo(640, 480))
    assert thumbnail(client, destination, f"thumbnails/128/{key}").size == (128, 96)
    s3.delete_object(Bucket=source, Key=key)
    wait_for(lambda: gone(client, destination, f"thumbnails/128/{key}"), 60, f"the thumbnails of {key} to go")
    # and the invocation that removed them has ended, so the clean-up does not race its log
    wait_for(lambda: logged(client, function, key, "deleted"), 60, f"the removal of {key} in the log")


def test_sns_fed_function_makes_and_removes_thumbnails(deploy, client):
    arn = deploy("thumbs-sns", "sns-uploads", "sns-thumbs")
    sns = client("sns")
    topic = sns.create_topic(Name="sns-uploads-events")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    client("s3").put_bucket_notification_configuration(
        Bucket="sns-uploads",
        NotificationConfiguration={
            "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]
        },
    )
    upload_then_delete(client, "thumbs-sns", "sns-uploads", "sns-thumbs", "trip/café + friends.jpg")


def test_eventbridge_fed_function_makes_and_removes_thumbnails(deploy, client):
    arn = deploy("thumbs-eventbridge", "eb-uploads", "eb-thumbs")
    client("s3").put_bucket_notification_configuration(
        Bucket="eb-uploads", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    bridge = client("events")
    bridge.put_rule(
        Name="eb-uploads-objects",
        EventPattern=json.dumps(
            {
                "source": ["aws.s3"],
                "detail-type": ["Object Created", "Object Deleted"],
                "detail": {"bucket": {"name": ["eb-uploads"]}},
            }
        ),
    )
    bridge.put_targets(Rule="eb-uploads-objects", Targets=[{"Id": "thumbnails", "Arn": arn}])
    upload_then_delete(client, "thumbs-eventbridge", "eb-uploads", "eb-thumbs", "a+b 사진.jpg")


def test_queue_fed_function_reports_only_the_transiently_failed_message(deploy, client):
    arn = deploy("thumbs-sqs", "q-uploads", "q-thumbs", handler="chaos.handler")
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="q-uploads-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName="q-uploads-events",
        Attributes={
            "VisibilityTimeout": "2",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client("s3").put_bucket_notification_configuration(
        Bucket="q-uploads",
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    sqs.purge_queue(QueueUrl=url)  # S3's s3:TestEvent: the batch below is the ten uploads alone
    client("lambda").create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName=arn,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=3,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    keys = [f"batch/{i} good.jpg" for i in range(8)] + ["batch/throttled.jpg", "batch/notes.jpg"]
    for key in keys:
        client("s3").put_object(Bucket="q-uploads", Key=key, Body=b"text" if "notes" in key else photo(320, 240))

    dead = wait_for(lambda: sqs.receive_message(QueueUrl=dlq).get("Messages"), 60, "the throttled upload in the DLQ")
    assert [json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"] for m in dead] == ["batch/throttled.jpg"]
    made = sorted(o["Key"] for o in client("s3").list_objects_v2(Bucket="q-thumbs")["Contents"])
    assert made == sorted(f"thumbnails/128/{k}" for k in keys[:8]), "the other messages were all processed"
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"

    logs = client("logs").filter_log_events(logGroupName="/aws/lambda/thumbs-sqs")["events"]
    lines = [json.loads(e["message"]) for e in logs if e["message"].startswith("{")]
    per_invocation = Counter(line["request_id"] for line in lines if line.get("source") == "sqs")
    assert max(per_invocation.values()) == 10, "the ten uploads arrived as one batch"
    reasons = {line["key"]: line.get("reason") for line in lines if line.get("outcome") == "failed"}
    assert "not an image" in reasons["batch/notes.jpg"] and "SlowDown" in reasons["batch/throttled.jpg"]
