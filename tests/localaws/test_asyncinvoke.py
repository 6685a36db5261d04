"""localaws's asynchronous invocations, one rule at a time, without a server: a throttled event's back-off, an
event that ages out, and the on-success destination (localaws/asyncinvoke.py). Nothing here waits: the retry timer
is replaced by a list of the delays asked for."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from localaws import asyncinvoke

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def function(**config: Any) -> Any:
    return SimpleNamespace(
        function_name="f", function_arn=ARN, event_invoke_config=[SimpleNamespace(config=config)] if config else []
    )


def outcome(error_type: str | None = None) -> Any:
    payload = {"errorType": error_type, "errorMessage": "no"} if error_type else {"made": 1}
    return asyncinvoke.Outcome("req-1", json.dumps(payload).encode(), error_type, "", 1.0)


class Recorder:
    """An AsyncInvoker whose retry timer moves its clock by the delay and runs the next try at once, keeping the
    delay it was asked for, and whose destinations are a list."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, results: list[Any], retry_delay: float = 1.0) -> None:
        self.delays: list[float] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.results = results
        self.now = 1000.0
        monkeypatch.setattr(asyncinvoke, "time", SimpleNamespace(monotonic=lambda: self.now))
        self.invoker = asyncinvoke.AsyncInvoker(self.execute, retry_delay=retry_delay, workers=1)
        monkeypatch.setattr(self.invoker, "_later", self.later)
        monkeypatch.setattr(
            asyncinvoke, "send_to_destination", lambda fn, arn, record, invoke: self.sent.append((arn, record))
        )

    def execute(self, fn: Any, body: bytes) -> Any:
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    def later(self, delay: float, event: Any) -> None:
        self.delays.append(delay)
        self.now += delay
        self.invoker._run(event)

    def run(self, fn: Any) -> None:
        self.invoker._pending += 1
        self.invoker._run(asyncinvoke._Event(fn, b'{"a": 1}', self.now))
        assert self.invoker._pending == 0 and self.results == [], "every try ran, and the event ended"


def test_a_throttled_event_is_tried_again_from_1_s_doubling_up_to_5_minutes(monkeypatch: pytest.MonkeyPatch):
    throttled = [asyncinvoke.Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", "f") for _ in range(11)]
    recorder = Recorder(monkeypatch, [*throttled, outcome()])
    recorder.run(function(MaximumRetryAttempts=0))
    assert recorder.delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert recorder.sent == [], "no destination: a throttle does not count as a try, so 0 retries still ran it"


def test_a_throttled_event_older_than_its_maximum_age_goes_to_the_failure_destination(monkeypatch):
    throttled = [asyncinvoke.Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", "f") for _ in range(6)]
    recorder = Recorder(monkeypatch, throttled)
    recorder.run(function(MaximumEventAgeInSeconds=60, DestinationConfig={"OnFailure": {"Destination": "q"}}))
    assert recorder.delays == [1, 2, 4, 8, 16], "the next, 32 s, would end beyond 60 s (1+2+4+8+16+32 = 63)"
    [(arn, record)] = recorder.sent
    assert arn == "q" and record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["responsePayload"]["errorType"] == "TooManyRequestsException"
    assert record["requestContext"]["approximateInvokeCount"] == 0 and record["requestPayload"] == {"a": 1}


def test_a_failure_whose_retry_would_come_too_late_is_event_age_exceeded(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(monkeypatch, [outcome("ValueError")], retry_delay=120)
    recorder.run(function(MaximumEventAgeInSeconds=60, DestinationConfig={"OnFailure": {"Destination": "q"}}))
    assert recorder.delays == [], "a retry 120 s later would be older than 60 s: not tried"
    [(arn, record)] = recorder.sent
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert (
        record["responsePayload"]["errorType"] == "ValueError"
        and record["requestContext"]["approximateInvokeCount"] == 1
    )


def test_retries_are_spaced_and_counted_before_the_record_says_retries_exhausted(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(monkeypatch, [outcome("ValueError")] * 3, retry_delay=5)
    recorder.run(function(DestinationConfig={"OnFailure": {"Destination": "q"}}))
    assert recorder.delays == [5, 10], "Lambda's one minute, then two, scaled to --retry-delay"
    [(_, record)] = recorder.sent
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3


def test_a_success_goes_to_the_on_success_destination(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(monkeypatch, [outcome()])
    recorder.run(function(DestinationConfig={"OnSuccess": {"Destination": "done"}, "OnFailure": {"Destination": "q"}}))
    [(arn, record)] = recorder.sent
    assert arn == "done" and record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"made": 1} and "functionError" not in record["responseContext"]
    assert record["requestContext"]["functionArn"] == f"{ARN}:$LATEST"


def test_without_a_success_destination_a_success_sends_nothing(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder(monkeypatch, [outcome()])
    recorder.run(function(DestinationConfig={"OnFailure": {"Destination": "q"}}))
    assert recorder.sent == []


@pytest.mark.parametrize("workers", [1, 6])
def test_as_many_events_run_at_once_as_the_invoker_has_workers(workers: int):
    """The pool's size is how many events run at once: ``workers`` tries meet at a barrier (a try waiting out its
    SDK's back-off holds a worker), and one more finds the barrier full, so it waits for one of them to end."""
    meet = threading.Barrier(workers)
    running, most = 0, 0
    lock = threading.Lock()

    def execute(fn: Any, body: bytes) -> Any:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            meet.wait(timeout=30)
        finally:
            with lock:
                running -= 1
        return outcome()

    invoker = asyncinvoke.AsyncInvoker(execute, workers=workers)
    try:
        for _ in range(2 * workers):
            invoker.submit(function(), b"{}")
        assert invoker.wait_idle(60), "every event ended: each group of `workers` met at the barrier"
    finally:
        invoker.shutdown()
    assert most == workers and not meet.broken
