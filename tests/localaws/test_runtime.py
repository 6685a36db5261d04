"""Lambda execution on the local endpoint: code, layers in order, context, environment, errors, timeouts, logs,
asynchronous retries and the on-failure destination."""

from __future__ import annotations

import base64
import json

import pytest

from localaws.runtime import LOCAL_RUNTIME

from .conftest import zipped

ECHO = """
import os, sys
def handler(event, context):
    print("hello from", context.function_name)
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "env": {k: os.environ.get(k) for k in ("AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_ENDPOINT_URL",
                                               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "GREETING")},
        "path": sys.path[:4],
    }
"""


def invoke(client, name: str, event: dict, **kw) -> tuple[dict, dict]:
    response = client("lambda").invoke(FunctionName=name, Payload=json.dumps(event), **kw)
    return response, json.loads(response["Payload"].read() or b"null")


def test_request_response_runs_the_deployed_code(aws, client, deploy):
    deploy("echo", ECHO, env={"GREETING": "hi"})
    response, body = invoke(client, "echo", {"a": 1}, LogType="Tail")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert body["event"] == {"a": 1}
    assert body["env"] == {
        "AWS_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": "echo",
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "GREETING": "hi",
    }
    assert body["memory"] == "256" and 0 < body["remaining"] <= 10_000
    task, layer_packages, layer_python, runtime = body["path"]
    assert "/task/" in task and layer_packages.endswith(f"python/lib/{LOCAL_RUNTIME}/site-packages")
    assert "/opt/" in layer_python and layer_python.endswith("/python") and runtime.endswith("/runtime")
    assert "hello from echo" in base64.b64decode(response["LogResult"]).decode()


def log_messages(client, name: str, group: str = "") -> list[str]:
    """The lines of the function's most recently written log stream (one per execution environment)."""
    logs = client("logs")
    group = group or f"/aws/lambda/{name}"
    streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime")["logStreams"]
    events = logs.get_log_events(logGroupName=group, logStreamName=streams[-1]["logStreamName"])
    return [e["message"] for e in events["events"]]


def report(client, name: str) -> str:
    return log_messages(client, name)[-1]


def test_output_lands_in_the_log_group(client, deploy):
    deploy("logger", "def handler(e, c):\n    print('line one')\n    return None\n")
    invoke(client, "logger", {})
    messages = log_messages(client, "logger")
    assert messages[0].startswith("INIT_START Runtime Version: python:3.")
    assert messages[1].startswith("START RequestId: ") and messages[2] == "line one"
    assert messages[3].startswith("END RequestId: ") and messages[4].startswith("REPORT RequestId: ")
    assert "\tInit Duration: " in messages[4], "a cold start says how long its init took"
    invoke(client, "logger", {})
    again = log_messages(client, "logger")
    assert again[:5] == messages, "a warm environment writes on in its one stream"
    assert again[5].startswith("START RequestId: ") and again[6] == "line one"
    assert again[-1].startswith("REPORT RequestId: ") and "Init Duration" not in again[-1], "warm: no init"


def test_report_gives_the_peak_memory_the_function_really_used(client, deploy):
    deploy("small", "def handler(e, c):\n    return None\n")
    deploy("hungry", "def handler(e, c):\n    block = b'x' * (80 * 1024 * 1024)\n    return len(block)\n")
    used = {}
    for name in ("small", "hungry"):
        invoke(client, name, {})
        line = report(client, name)
        assert "\tMemory Size: " in line and line.count("Max Memory Used: ") == 1, line
        used[name] = int(line.split("Max Memory Used: ")[1].split(" MB")[0])
    assert 0 < used["small"] < 80 <= used["hungry"] - used["small"] + 5, used


def test_above_its_memory_size_a_function_ends_as_lambda_reports_it(client, deploy):
    """memory_size is a cgroup limit here (localaws/ceiling.py): the kernel kills the process, Lambda's error."""
    deploy("greedy", "def handler(e, c):\n    blocks = [b'x' * (32 * 1024 * 1024) for _ in range(16)]\n")
    response, body = invoke(client, "greedy", {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory", body
    assert "Max Memory Used: 256 MB" in report(client, "greedy")
    deploy("modest", "def handler(e, c):\n    return len(b'x' * (64 * 1024 * 1024))\n")
    assert invoke(client, "modest", {})[1] == 64 * 1024 * 1024, "within its memory it runs as before"


def test_an_exception_comes_back_as_lambda_reports_it(client, deploy):
    deploy("boom", "def handler(e, c):\n    raise ValueError('no good: ' + e['why'])\n")
    response, body = invoke(client, "boom", {"why": "test"})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "no good: test"
    assert any("index.py" in frame for frame in body["stackTrace"])
    (error,) = [line for line in log_messages(client, "boom") if line.startswith("[ERROR]")]
    assert error.startswith("[ERROR] ValueError: no good: test\rTraceback"), "one log event, as Lambda writes it"


def test_timeout_kills_the_function(client, deploy):
    deploy("sleepy", "import time\ndef handler(e, c):\n    time.sleep(30)\n", timeout=1)
    response, body = invoke(client, "sleepy", {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout" and "Task timed out after 1.00 seconds" in body["errorMessage"]


def test_layers_are_extracted_in_order_and_a_later_file_wins(client, deploy):
    lam = client("lambda")
    arns = [
        lam.publish_layer_version(
            LayerName=f"layer-{v}",
            Content={"ZipFile": zipped({"python/marker.py": f"VALUE = {v!r}\n", f"python/only_{v}.py": "X = 1\n"})},
        )["LayerVersionArn"]
        for v in ("first", "second")
    ]
    code = "import marker, only_first, only_second\ndef handler(e, c):\n    return marker.VALUE\n"
    deploy("layered", code, layers=arns)
    assert invoke(client, "layered", {})[1] == "second"
    deploy("layered-reversed", code, layers=arns[::-1])
    assert invoke(client, "layered-reversed", {})[1] == "first"


def test_the_host_packages_are_not_visible_to_the_function(client, deploy):
    deploy("isolated", "def handler(e, c):\n    import PIL\n")
    response, body = invoke(client, "isolated", {})
    assert body["errorType"] == "ModuleNotFoundError", "Pillow must come from a layer, as on Lambda"
    deploy("runtime-boto3", "import boto3\ndef handler(e, c):\n    return boto3.__name__\n")
    assert invoke(client, "runtime-boto3", {})[1] == "boto3", "boto3 comes with the runtime, as on Lambda"


def test_runtime_mismatch_is_a_warning_in_the_log(client, deploy):
    other = "python3.13" if LOCAL_RUNTIME != "python3.13" else "python3.12"
    deploy("other-runtime", "def handler(e, c):\n    return 'ran'\n", runtime=other)
    response, body = invoke(client, "other-runtime", {}, LogType="Tail")
    assert body == "ran"
    assert (
        f"WARNING: other-runtime is {other} but runs here on the local {LOCAL_RUNTIME}"
        in base64.b64decode(response["LogResult"]).decode()
    )


@pytest.fixture
def failed_queue(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="failed-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    yield url, arn
    sqs.delete_queue(QueueUrl=url)


def test_event_invocation_is_retried_then_sent_to_the_failure_destination(aws, client, deploy, failed_queue):
    url, arn = failed_queue
    deploy("flaky", "def handler(e, c):\n    print('attempt')\n    raise RuntimeError('always')\n")
    client("lambda").put_function_event_invoke_config(
        FunctionName="flaky", MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": arn}}
    )
    response = client("lambda").invoke(FunctionName="flaky", InvocationType="Event", Payload=b'{"n": 7}')
    assert response["StatusCode"] == 202
    messages = client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"]
    record = json.loads(messages[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"n": 7}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "always"


def test_s3_notification_invokes_asynchronously(aws, client, deploy):
    arn = deploy(
        "on-upload",
        "import boto3\ndef handler(e, c):\n    key = e['Records'][0]['s3']['object']['key']\n"
        "    boto3.client('s3').put_object(Bucket='seen', Key=key, Body=b'')\n",
    )
    s3 = client("s3")
    for bucket in ("watched", "seen"):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket="watched",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".txt"}]}},
                }
            ]
        },
    )
    s3.put_object(Bucket="watched", Key="skip.bin", Body=b"x")
    s3.put_object(Bucket="watched", Key="hello world.txt", Body=b"x")
    assert aws.invoker.wait_idle(30)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="seen")["Contents"]] == ["hello+world.txt"]
