"""Concurrency (localaws/runtime.py): environments busy at once are limited by a function's reserved concurrency
or the account's limit; beyond it a synchronous invoke is throttled and an asynchronous event waits its turn."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from .conftest import wait_for

# Runs until the test lets it go: it says it started (a file), then waits for the release file.
HELD = """
import os, time
def handler(event, context):
    open(event["started"], "w").close()
    deadline = time.time() + 20
    while not os.path.exists(event["release"]) and time.time() < deadline:
        time.sleep(0.01)
    open(event.get("done", os.devnull), "w").close()
    return "released"
"""


@pytest.fixture
def strict(aws):
    """A Lambda client that does not retry a throttled call (boto3 would, quietly)."""
    return boto3.client(
        "lambda",
        endpoint_url=aws.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


class Held:
    """One invocation of HELD running on a thread until ``release()``."""

    def __init__(self, client, name: str, shared: Path, tag: str) -> None:
        self.started, self.release_file = shared / f"{tag}.started", shared / f"{tag}.release"
        event = {"started": str(self.started), "release": str(self.release_file)}
        self.result: list = []
        self.thread = threading.Thread(
            target=lambda: self.result.append(client.invoke(FunctionName=name, Payload=json.dumps(event)))
        )
        self.thread.start()
        wait_for(self.started.exists, f"{name} started")

    def release(self) -> dict:
        self.release_file.touch()
        self.thread.join(timeout=20)
        return json.loads(self.result[0]["Payload"].read())


def throttled(strict, name: str, shared: Path) -> dict:
    event = {"started": str(shared / "never"), "release": str(shared / "never")}
    with pytest.raises(ClientError) as caught:
        strict.invoke(FunctionName=name, Payload=json.dumps(event))
    return caught.value.response


def test_beyond_its_reserved_concurrency_a_synchronous_invoke_is_throttled(client, deploy, strict, shared):
    deploy("reserved-one", HELD)
    client("lambda").put_function_concurrency(FunctionName="reserved-one", ReservedConcurrentExecutions=1)
    held = Held(client("lambda"), "reserved-one", shared, "first")
    response = throttled(strict, "reserved-one", shared)
    assert response["Error"]["Code"] == "TooManyRequestsException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert held.release() == "released", "the running invocation is not disturbed"
    assert not (shared / "never").exists(), "the throttled invocation never ran"


def test_a_throttled_asynchronous_event_is_tried_again_later(client, deploy, shared, aws, caplog):
    deploy("reserved-async", HELD)
    lam = client("lambda")
    lam.put_function_concurrency(FunctionName="reserved-async", ReservedConcurrentExecutions=1)
    held = Held(lam, "reserved-async", shared, "first")
    done = shared / "async.done"
    event = {"started": str(shared / "async.started"), "release": str(held.release_file), "done": str(done)}
    with caplog.at_level(logging.INFO, logger="localaws"):
        assert (
            lam.invoke(FunctionName="reserved-async", InvocationType="Event", Payload=json.dumps(event))["StatusCode"]
            == 202
        )
        wait_for(
            lambda: "reserved-async throttled (ReservedFunctionConcurrentInvocationLimitExceeded)" in caplog.text,
            "the event throttled",
        )
        assert not done.exists(), "it waits while the one allowed environment is busy"
        held.release()
        assert aws.invoker.wait_idle(30)
    assert done.exists(), "then it runs"


def test_the_account_limit_less_every_reservation_bounds_the_other_functions(client, deploy, strict, aws, shared):
    deploy("unreserved-a", HELD)
    deploy("unreserved-b", HELD)
    deploy("reserving", HELD)
    lam = client("lambda")
    lam.put_function_concurrency(FunctionName="reserving", ReservedConcurrentExecutions=1)
    reserved = sum(
        lam.get_function_concurrency(FunctionName=f["FunctionName"]).get("ReservedConcurrentExecutions") or 0
        for f in lam.list_functions()["Functions"]
    )
    before, aws.runtime.concurrency = aws.runtime.concurrency, reserved + 1  # what is left: one environment
    try:
        held = Held(lam, "unreserved-a", shared, "a")
        response = throttled(strict, "unreserved-b", shared)
        assert response["Reason"] == "ConcurrentInvocationLimitExceeded"
        own = Held(lam, "reserving", shared, "r")  # its reservation is its own
        assert held.release() == own.release() == "released"
    finally:
        aws.runtime.concurrency = before
        lam.delete_function_concurrency(FunctionName="reserving")
