"""Asynchronous invocations the way Lambda does them: queued, retried, aged out, sent to a destination.

S3 notifications and ``Invoke`` with ``InvocationType=Event`` land here. Each event is run; a failed run is
retried up to the function's ``MaximumRetryAttempts`` (default 2) while it is younger than
``MaximumEventAgeInSeconds``; then the event goes to the on-failure destination (SQS, SNS or another function)
as Lambda's invocation record. Lambda waits about a minute, then two, between tries; here ``retry_delay`` seconds,
then twice that.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from .runtime import Outcome

log = logging.getLogger("localaws")

DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21600


def invoke_config(fn: Any) -> dict[str, Any]:
    return fn.event_invoke_config[0].config if fn.event_invoke_config else {}


def invocation_record(fn: Any, event: bytes, outcome: Outcome, condition: str, attempts: int) -> dict[str, Any]:
    """Lambda's record for an asynchronous invocation sent to a destination."""
    try:
        request_payload = json.loads(event or b"{}")
    except ValueError:
        request_payload = event.decode("utf-8", errors="replace")
    response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if outcome.error:
        response_context["functionError"] = outcome.error
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "requestContext": {
            "requestId": outcome.request_id,
            "functionArn": f"{fn.function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": request_payload,
        "responseContext": response_context,
        "responsePayload": json.loads(outcome.payload or b"null"),
    }


def send_to_destination(fn: Any, arn: str, record: dict[str, Any], invoke: Callable[[Any, bytes], None]) -> None:
    service, region, account = arn.split(":")[2], arn.split(":")[3], arn.split(":")[4]
    body = json.dumps(record)
    if service == "sqs":
        from moto.sqs.models import sqs_backends

        sqs_backends[account][region].send_message(arn.split(":")[-1], body)
    elif service == "sns":
        from moto.sns.models import sns_backends

        sns_backends[account][region].publish(body, arn=arn)
    elif service == "lambda":
        from moto.awslambda.utils import get_backend

        invoke(get_backend(account, region).get_function(arn), body.encode())
    else:
        log.warning("localaws: destination %s is not supported here; the record is dropped: %s", arn, body)


class AsyncInvoker:
    def __init__(self, execute: Callable[[Any, bytes], Outcome], retry_delay: float = 1.0, workers: int = 4) -> None:
        self._execute = execute
        self._retry_delay = retry_delay
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="localaws-async")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Any, event: bytes) -> None:
        with self._idle:
            self._pending += 1
            log.info("localaws: queued an event for %s (%d pending)", fn.function_name, self._pending)
        self._pool.submit(self._run, fn, event, time.monotonic())

    def wait_idle(self, timeout: float) -> bool:
        """Until every queued invocation, retries included, has ended (for a clean stop)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, fn: Any, event: bytes, queued: float) -> None:
        try:
            self._attempts(fn, event, queued)
        except Exception:  # an async failure must never take the endpoint down
            log.exception("localaws: asynchronous invocation of %s failed", getattr(fn, "function_name", fn))
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _attempts(self, fn: Any, event: bytes, queued: float) -> None:
        config = invoke_config(fn)
        retries = int(config.get("MaximumRetryAttempts", DEFAULT_RETRIES))
        max_age = float(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE))
        destinations = config.get("DestinationConfig", {})
        attempts = 0
        while True:
            outcome = self._execute(fn, event)
            attempts += 1
            if outcome.ok:
                if success := destinations.get("OnSuccess", {}).get("Destination"):
                    record = invocation_record(fn, event, outcome, "Success", attempts)
                    send_to_destination(fn, success, record, self.submit)
                return
            log.info("localaws: %s failed (attempt %d): %s", fn.function_name, attempts, outcome.payload[:300])
            delay = self._retry_delay * attempts
            if attempts > retries:
                condition = "RetriesExhausted"
            elif time.monotonic() + delay - queued > max_age:
                condition = "EventAgeExceeded"
            else:
                time.sleep(delay)  # Lambda's back-off between tries, scaled down
                continue
            if failure := destinations.get("OnFailure", {}).get("Destination"):
                record = invocation_record(fn, event, outcome, condition, attempts)
                send_to_destination(fn, failure, record, self.submit)
            else:
                log.warning("localaws: %s: event dropped (%s, no on-failure destination)", fn.function_name, condition)
            return
