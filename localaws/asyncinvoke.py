"""Asynchronous invocations the way Lambda does them: queued, retried, aged out, sent to a destination.

S3 notifications and ``Invoke`` with ``InvocationType=Event`` land here. Each event is run; a failed run is
retried up to the function's ``MaximumRetryAttempts`` (default 2) while it is younger than
``MaximumEventAgeInSeconds``; then the event goes to the on-failure destination (SQS, SNS or another function)
as Lambda's invocation record. Lambda waits about a minute, then two, between tries; here ``retry_delay`` seconds,
then twice that. A throttled event (runtime.Throttled: beyond the function's concurrency) is kept and tried again
later, from ``retry_delay`` (at most 1 s) doubling up to 5 minutes, without counting as a try, until it is older
than ``MaximumEventAgeInSeconds``, as on Lambda. No worker waits while an event waits for its next try.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .admission import Throttled
from .outcome import Outcome

log = logging.getLogger("localaws")

DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21600
# Events run at once (Lambda's are bounded by the function's concurrency only); a retry waiting holds none of them
ASYNC_WORKERS = 4


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
    def __init__(
        self,
        execute: Callable[[Any, bytes], Outcome],
        retry_delay: float = 1.0,
        workers: int = ASYNC_WORKERS,
        may_send: Callable[[Any, str], bool] | None = None,
    ) -> None:
        self._execute = execute
        self._may_send = may_send  # the function's role may send to a destination (Lambda sends with it)
        self._retry_delay = retry_delay
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="localaws-async")
        self._pending = 0
        self._idle = threading.Condition()
        self._timers: set[threading.Timer] = set()
        self._closed = False

    def submit(self, fn: Any, event: bytes) -> None:
        with self._idle:
            self._pending += 1
            log.info("localaws: queued an event for %s (%d pending)", fn.function_name, self._pending)
        self._pool.submit(self._run, _Event(fn, event, time.monotonic()))

    def wait_idle(self, timeout: float) -> bool:
        """Until every queued invocation, retries included, has ended (for a clean stop)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def shutdown(self) -> None:
        with self._idle:
            self._closed = True
            timers, self._timers = list(self._timers), set()
        for timer in timers:
            timer.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, event: _Event) -> None:
        ended = True
        try:
            ended = self._attempt(event)
        except Exception:  # an async failure must never take the endpoint down
            log.exception("localaws: asynchronous invocation of %s failed", getattr(event.fn, "function_name", "?"))
        finally:
            if ended:
                self._done()

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def _later(self, delay: float, event: _Event) -> None:
        """Run ``event`` again after ``delay`` seconds, without holding a worker while it waits."""

        def again() -> None:
            with self._idle:
                self._timers.discard(timer)
                closed = self._closed
            if not closed:
                try:
                    self._pool.submit(self._run, event)
                    return
                except RuntimeError:  # the pool shut down meanwhile
                    pass
            self._done()  # localaws is stopping: the event ends here

        timer = threading.Timer(delay, again)
        timer.daemon = True
        with self._idle:
            self._timers.add(timer)
        timer.start()

    def _attempt(self, event: _Event) -> bool:
        """One try; False when the event was scheduled to be tried again."""
        fn = event.fn
        config = invoke_config(fn)
        retries = int(config.get("MaximumRetryAttempts", DEFAULT_RETRIES))
        max_age = float(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE))
        destinations = config.get("DestinationConfig", {})
        try:
            outcome = self._execute(fn, event.body)
        except Throttled as throttled:
            # Lambda keeps a throttled event, tries again from 1 s up to 5 min apart, and does not count it as a try
            delay = min(min(self._retry_delay, 1.0) * 2**event.throttles, 300.0)
            event.throttles += 1
            if time.monotonic() + delay - event.queued <= max_age:
                log.info(
                    "localaws: %s throttled (%s); tried again in %.2f s", fn.function_name, throttled.reason, delay
                )
                self._later(delay, event)
                return False
            error = {"errorType": "TooManyRequestsException", "errorMessage": str(throttled)}
            outcome = Outcome("", json.dumps(error).encode(), None, "", 0.0)
            self._fail(fn, event, outcome, "EventAgeExceeded", destinations)
            return True
        event.attempts += 1
        if outcome.ok:
            if success := destinations.get("OnSuccess", {}).get("Destination"):
                record = invocation_record(fn, event.body, outcome, "Success", event.attempts)
                self._send(fn, success, record)
            return True
        log.info("localaws: %s failed (attempt %d): %s", fn.function_name, event.attempts, outcome.payload[:300])
        delay = self._retry_delay * event.attempts  # Lambda's back-off between tries (1 min, then 2), scaled
        if event.attempts > retries:
            self._fail(fn, event, outcome, "RetriesExhausted", destinations)
        elif time.monotonic() + delay - event.queued > max_age:
            self._fail(fn, event, outcome, "EventAgeExceeded", destinations)
        else:
            self._later(delay, event)
            return False
        return True

    def _send(self, fn: Any, arn: str, record: dict[str, Any]) -> None:
        """As Lambda: with the function's role; a destination the role may not send to loses the record."""
        if self._may_send is not None and not self._may_send(fn, arn):
            log.warning(
                "localaws: %s's role may not send to %s: the invocation record is dropped", fn.function_name, arn
            )
            return
        send_to_destination(fn, arn, record, self.submit)

    def _fail(self, fn: Any, event: _Event, outcome: Outcome, condition: str, destinations: dict[str, Any]) -> None:
        if failure := destinations.get("OnFailure", {}).get("Destination"):
            record = invocation_record(fn, event.body, outcome, condition, event.attempts)
            self._send(fn, failure, record)
        else:
            log.warning("localaws: %s: event dropped (%s, no on-failure destination)", fn.function_name, condition)


@dataclass
class _Event:
    fn: Any
    body: bytes
    queued: float  # time.monotonic() when it arrived
    attempts: int = 0  # tries that ran the function
    throttles: int = 0
