"""Chaos rules on localaws (localaws/chaos.py, chaoscli.py): LocalStack's Chaos API schema at /_localaws/chaos,
the error each service really sends, latency, and Lambda's invocation faults (an error before the handler, a kill
halfway) -- on every way a request arrives, a function's own calls included."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localaws import chaos, cli
from tests.localaws.conftest import wait_for

ONE_TRY = Config(retries={"mode": "standard", "max_attempts": 1})


def api(aws, method: str, what: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{aws.endpoint_url}/_localaws/chaos/{what}", data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def rules(aws):
    """The test's rules; none and no latency after it."""

    def put(given: list[dict[str, Any]]) -> None:
        assert api(aws, "POST", "faults", given) == (200, given)

    yield put
    api(aws, "POST", "faults", [])
    api(aws, "POST", "effects", {"latency": 0, "jitter": 0})


def test_the_faults_api_lists_replaces_appends_and_removes_rules_as_localstacks_does(aws, rules):
    first = {"service": "s3", "operation": "GetObject", "probability": 0.5, "error": {"statusCode": 503, "code": "X"}}
    second = {"service": "secretsmanager", "region": "eu-west-1"}
    rules([first])
    assert api(aws, "PATCH", "faults", [second]) == (200, [first, second])
    assert api(aws, "GET", "faults") == (200, [first, second])
    assert api(aws, "DELETE", "faults", [first]) == (200, [second])
    assert api(aws, "POST", "faults", []) == (200, [])
    assert api(aws, "POST", "effects", {"latency": 5, "jitter": 2}) == (200, {"latency": 5, "jitter": 2})
    assert api(aws, "GET", "effects") == (200, {"latency": 5, "jitter": 2})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"service": "s3"}, "a JSON array of rules"),
        ([{"service": "s3", "probability": 2}], "probability must be a number from 0 to 1"),
        ([{"servce": "s3"}], "unknown field(s) servce"),
        ([{"error": {"statusCode": 200}}], "error.statusCode must be an HTTP error status (400-599)"),
        ([{"service": "s3", "kill_after_ms": 10}], "kill_after_ms is for Lambda rules"),
    ],
)
def test_a_rule_outside_the_schema_is_refused_with_what_is_wrong(aws, rules, body, message):
    status, answer = api(aws, "POST", "faults", body)
    assert status == 400 and message in answer["error"]
    assert api(aws, "GET", "faults") == (200, []), "a refused request changes nothing"


def test_s3_answers_slowdown_in_its_own_xml_and_the_rule_is_the_operation_named(aws, client, rules):
    bucket = f"chaos-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=bucket)
    client("s3").put_object(Bucket=bucket, Key="a.jpg", Body=b"a")
    rules([{"service": "s3", "operation": "PutObject", "error": {"statusCode": 503, "code": "SlowDown"}}])
    s3 = client("s3", ONE_TRY)
    with pytest.raises(ClientError) as failed:
        s3.put_object(Bucket=bucket, Key="b.jpg", Body=b"b")
    error, meta = failed.value.response["Error"], failed.value.response["ResponseMetadata"]
    assert (error["Code"], error["Message"]) == ("SlowDown", "Please reduce your request rate.")
    assert meta["HTTPStatusCode"] == 503 and meta["RequestId"] and meta["HostId"]
    assert s3.get_object(Bucket=bucket, Key="a.jpg")["Body"].read() == b"a", "GetObject is not PutObject"


def test_a_head_request_gets_the_status_without_a_body(aws, client, rules):
    bucket = f"chaos-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=bucket)
    client("s3").put_object(Bucket=bucket, Key="a.jpg", Body=b"a")
    rules([{"service": "s3", "operation": "HeadObject", "error": {"statusCode": 500, "code": "InternalError"}}])
    with pytest.raises(ClientError) as failed:
        client("s3", ONE_TRY).head_object(Bucket=bucket, Key="a.jpg")
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_secrets_manager_throttles_in_json_and_the_sdk_retries_it(aws, client, rules):
    name = f"chaos-{uuid.uuid4().hex[:8]}"
    client("secretsmanager").create_secret(Name=name, SecretString="s")
    rules([{"service": "secretsmanager", "error": {"statusCode": 400, "code": "ThrottlingException"}}])
    with pytest.raises(ClientError) as failed:
        client("secretsmanager", ONE_TRY).get_secret_value(SecretId=name)
    assert failed.value.response["Error"]["Code"] == "ThrottlingException"
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    rules([{"service": "secretsmanager", "probability": 0.5, "error": {"statusCode": 400, "code": "Throttling"}}])
    aws.chaos.injected.clear()
    sdk = boto3.client(
        "secretsmanager",
        endpoint_url=aws.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "max_attempts": 15}),
    )
    # Called until a throttle was injected, at most 20 times: none in 20 is a chance in a million (with a fixed 3
    # calls, none was throttled one run in eight, and the assertion below failed).
    for _ in range(20):
        assert sdk.get_secret_value(SecretId=name)["SecretString"] == "s"
        if sum(aws.chaos.injected.values()):
            break
    assert sum(aws.chaos.injected.values()) > 0, "some were throttled and retried by the SDK"


def test_sqs_and_sns_answer_in_their_protocols_and_region_and_first_match_decide(aws, client, rules):
    queue = client("sqs").create_queue(QueueName=f"chaos-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    rules(
        [
            {"service": "sqs", "region": "eu-west-1"},
            {"service": "sqs", "operation": "SendMessage", "probability": 0, "error": {"code": "Never"}},
            {"service": "sqs", "operation": "ReceiveMessage", "error": {"statusCode": 400, "code": "RequestThrottled"}},
            {"service": "sns"},
        ]
    )
    sqs = client("sqs", ONE_TRY)
    assert sqs.send_message(QueueUrl=queue, MessageBody="m")["MessageId"], "drawn no, and no later rule matches"
    with pytest.raises(ClientError) as failed:
        sqs.receive_message(QueueUrl=queue)
    assert failed.value.response["Error"]["Code"] == "RequestThrottled"
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as failed:
        client("sns", ONE_TRY).list_topics()
    assert failed.value.response["Error"]["Code"] == "ServiceUnavailable"  # LocalStack's default
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_a_rule_drawn_not_to_fail_leaves_the_request_to_the_next_rule(aws, client, rules):
    bucket = f"chaos-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=bucket)
    rules(
        [
            {"service": "s3", "operation": "PutObject", "probability": 0, "error": {"code": "SlowDown"}},
            {"service": "s3", "operation": "PutObject", "error": {"statusCode": 500, "code": "InternalError"}},
        ]
    )
    with pytest.raises(ClientError) as failed:
        client("s3", ONE_TRY).put_object(Bucket=bucket, Key="a", Body=b"a")
    assert failed.value.response["Error"]["Code"] == "InternalError"


def test_latency_delays_every_request(aws, client, rules):
    api(aws, "POST", "effects", {"latency": 300})
    started = time.monotonic()
    client("s3").list_buckets()
    assert time.monotonic() - started >= 0.3


def test_s3_operations_are_named_as_the_api_names_them():
    op = chaos.s3_operation
    assert op("GET", "/b/k.jpg", {}, "127.0.0.1:4566", {}) == "GetObject"
    assert op("PUT", "/b/k.jpg", {}, "127.0.0.1:4566", {"x-amz-copy-source": "/b/a"}) == "CopyObject"
    assert op("PUT", "/b/k.jpg", {"partNumber": ["1"], "uploadId": ["u"]}, "localhost", {}) == "UploadPart"
    assert op("GET", "/b", {"list-type": ["2"]}, "localhost:4566", {}) == "ListObjectsV2"
    assert op("PUT", "/b", {"policy": [""]}, "localhost", {}) == "PutBucketPolicy"
    assert op("GET", "/k.jpg", {}, "b.s3.us-east-1.amazonaws.com", {}) == "GetObject"
    assert op("GET", "/", {}, "s3.us-east-1.amazonaws.com", {}) == "ListBuckets"


MARKS = """
import os, time, boto3
from botocore.config import Config

def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("put"):
        s3 = boto3.client("s3", config=Config(retries={"mode": "standard", "max_attempts": 1}))
        try:
            s3.put_object(Bucket=event["put"], Key="k", Body=b"x")
        except Exception as exc:
            return {"error": exc.response["Error"]["Code"]}
    return {"ran": True}
"""


def invoke(client, name: str, event: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    answer = client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return answer.get("FunctionError"), json.loads(answer["Payload"].read())


def test_a_lambda_rule_fails_the_invocation_before_the_handler_and_a_kill_ends_the_runtime(aws, client, deploy, rules):
    name = f"chaos-{uuid.uuid4().hex[:8]}"
    deploy(name, MARKS)
    rules([{"service": "lambda", "operation": "Invoke", "error": {"code": "InjectedFault"}}])
    error, payload = invoke(client, name, {})
    assert error == "Unhandled" and payload["errorType"] == "InjectedFault" and "ran" not in payload
    assert aws.runtime.environments(f"arn:aws:lambda:us-east-1:123456789012:function:{name}") == []
    rules([{"service": "lambda", "operation": "Invoke", "kill_after_ms": 200}])
    assert invoke(client, name, {}) == (None, {"ran": True}), "an invocation faster than the kill is not killed"
    error, payload = invoke(client, name, {"sleep": 3})
    assert error == "Unhandled" and payload["errorType"] == "Runtime.ExitError"
    assert "signal: killed" in payload["errorMessage"]
    rules([])
    assert invoke(client, name, {}) == (None, {"ran": True}), "the next invocation starts a new runtime"
    usage = aws.runtime.usage.of(name)
    assert (usage.invocations, usage.errors) == (4, {"InjectedFault": 1, "Runtime.ExitError": 1}), "each counted"
    assert usage.failed_gb_seconds > 0, "the kill's time is billed"


def test_the_functions_own_calls_meet_the_rules(aws, client, deploy, rules):
    name, bucket = f"chaos-{uuid.uuid4().hex[:8]}", f"chaos-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=bucket)
    deploy(name, MARKS)
    rules([{"service": "s3", "operation": "PutObject", "error": {"statusCode": 503, "code": "SlowDown"}}])
    assert invoke(client, name, {"put": bucket}) == (None, {"error": "SlowDown"})


def test_an_s3_notification_failed_by_a_rule_is_retried_twice_then_sent_to_the_destination(aws, client, deploy, rules):
    name, bucket = f"chaos-{uuid.uuid4().hex[:8]}", f"chaos-{uuid.uuid4().hex[:8]}"
    arn = deploy(name, MARKS)
    failures = client("sqs").create_queue(QueueName=f"{name}-failures")["QueueUrl"]
    failures_arn = client("sqs").get_queue_attributes(QueueUrl=failures, AttributeNames=["QueueArn"])["Attributes"]
    client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": failures_arn["QueueArn"]}},
    )
    client("s3").create_bucket(Bucket=bucket)
    client("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    aws.chaos.injected.clear()
    rules([{"service": "lambda", "operation": "Invoke", "error": {"code": "InjectedFault"}}])
    client("s3").put_object(Bucket=bucket, Key="a.jpg", Body=b"a")
    received: list[Any] = []
    wait_for(
        lambda: received.extend(client("sqs").receive_message(QueueUrl=failures).get("Messages", [])) or received,
        "the invocation record in the on-failure destination",
    )
    record = json.loads(received[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responsePayload"]["errorType"] == "InjectedFault"
    assert aws.chaos.injected == {"lambda Invoke InjectedFault": 3}


def test_localaws_chaos_sets_and_lists_the_rules_from_a_shell(aws, rules, capsys):
    url = ["chaos", "--endpoint", aws.endpoint_url]
    slow = ["--service", "s3", "--operation", "GetObject", "--status", "503", "--code", "SlowDown"]
    assert cli.main([*url, "add", *slow]) == 0
    assert cli.main([*url, "add", '[{"service": "lambda", "operation": "Invoke", "kill_after_ms": 100}]']) == 0
    assert cli.main([*url, "latency", "0", "--jitter", "1"]) == 0
    capsys.readouterr()
    assert cli.main([*url, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {
        "faults": [
            {"service": "s3", "operation": "GetObject", "error": {"statusCode": 503, "code": "SlowDown"}},
            {"service": "lambda", "operation": "Invoke", "kill_after_ms": 100},
        ],
        "effects": {"latency": 0, "jitter": 1},
    }
    assert cli.main([*url, "clear"]) == 0
    assert "0 rule(s)" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="probability must be a number from 0 to 1"):
        cli.main([*url, "add", "--service", "s3", "--probability", "3"])
