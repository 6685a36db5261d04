"""SQS event source mappings the way Lambda runs them: polled, batched, partial batch failures honoured.

moto delivers a queue's messages inline, one message per invocation, while the producer's ``SendMessage`` waits,
and ignores the function's response. Here, as on Lambda:

- a poller receives up to ``BatchSize`` messages (waiting up to ``MaximumBatchingWindowInSeconds`` for a fuller
  batch) and invokes the function synchronously with one event holding them all;
- on success the batch is deleted -- except, when the mapping has ``FunctionResponseTypes =
  ["ReportBatchItemFailures"]``, the messages the response names in ``batchItemFailures``; a response that is not
  JSON, or names an unknown message (or an empty ``itemIdentifier``), fails the whole batch, as on Lambda;
- a failed invocation deletes nothing: the messages come back after the queue's visibility timeout, and moto's
  redrive policy moves them to the dead-letter queue after ``maxReceiveCount`` receives; so does a throttled one
  (the function at its concurrency limit), as on Lambda.

Not modelled: the mapping's ``ScalingConfig.MaximumConcurrency`` (one batch per mapping at a time here), filter
criteria, and FIFO group ordering.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .admission import Throttled
from .outcome import Outcome

log = logging.getLogger("localaws")

POLL_INTERVAL = 0.05  # seconds between looks at an idle queue


def sqs_event(esm: Any, queue: Any, messages: list[Any]) -> dict[str, Any]:
    """Lambda's SQS event for a batch of moto messages."""
    records = []
    for m in messages:
        attributes = {
            "ApproximateReceiveCount": str(m.approximate_receive_count),
            "SentTimestamp": str(m.sent_timestamp),
            "SenderId": m.sender_id,
            "ApproximateFirstReceiveTimestamp": str(m.approximate_first_receive_timestamp),
        }
        if m.group_id:
            attributes.update(MessageGroupId=m.group_id, MessageDeduplicationId=m.deduplication_id or "")
        records.append(
            {
                "messageId": m.id,
                "receiptHandle": m.receipt_handle,
                "body": m.body,
                "attributes": attributes,
                "messageAttributes": m.message_attributes or {},
                "md5OfBody": m.body_md5,
                "eventSource": "aws:sqs",
                "eventSourceARN": queue.queue_arn,
                "awsRegion": esm.region,
            }
        )
    return {"Records": records}


def failed_message_ids(esm: Any, outcome: Outcome, batch_ids: set[str]) -> set[str]:
    """The messages to keep: all of them if the invocation failed, else those the partial response names."""
    if not outcome.ok:
        return batch_ids
    if "ReportBatchItemFailures" not in (esm.function_response_types or []):
        return set()
    try:
        response = json.loads(outcome.payload or b"null")
    except ValueError:
        return batch_ids  # not JSON: Lambda fails the whole batch
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    if not failures:
        return set()
    named = {str(f.get("itemIdentifier") or "") if isinstance(f, dict) else "" for f in failures}
    if not named <= batch_ids:  # an empty or unknown identifier fails the whole batch
        log.warning(
            "localaws: %s named messages not in its batch (%s); the whole batch fails",
            esm.function_arn,
            sorted(named - batch_ids),
        )
        return batch_ids
    return named


def _visibility_timeout(queue: Any) -> int:
    return int(getattr(queue, "visibility_timeout", 30))  # moto sets queue attributes dynamically


class SqsPoller:
    """One thread that looks at every enabled SQS mapping; batches run on a small pool, one per mapping."""

    def __init__(self, execute: Callable[[Any, bytes], Outcome], workers: int = 4) -> None:
        self._execute = execute
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="localaws-sqs")
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="localaws-sqs-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _mappings(self) -> list[Any]:
        from moto.awslambda.models import lambda_backends

        found = []
        for regions in list(lambda_backends.values()):
            for backend in list(regions.values()):
                for esm in list(backend._event_source_mappings.values()):
                    if esm.enabled and esm.event_source_arn.split(":")[2] == "sqs":
                        found.append(esm)
        return found

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for esm in self._mappings():
                    with self._lock:
                        if esm.uuid in self._busy:
                            continue
                        self._busy.add(esm.uuid)
                    self._pool.submit(self._poll, esm)
            except Exception:  # the poller must outlive any one bad mapping
                log.exception("localaws: SQS poller")
            self._stop.wait(POLL_INTERVAL)

    def _poll(self, esm: Any) -> None:
        try:
            self._deliver(esm)
        except Exception:  # one bad batch must not stop the mapping
            log.exception("localaws: SQS mapping %s", esm.uuid)
        finally:
            with self._lock:
                self._busy.discard(esm.uuid)

    def _deliver(self, esm: Any) -> None:
        from moto.awslambda.utils import get_backend
        from moto.sqs.models import sqs_backends

        _, _, _, region, account, name = esm.event_source_arn.split(":")
        backend = sqs_backends[account][region]
        queue = backend.get_queue(name)
        size = int(esm.batch_size or 10)
        window = float(esm.max_batch_window or 0)
        messages = backend.receive_message(name, size, 0, _visibility_timeout(queue))
        if not messages:
            return
        deadline = time.monotonic() + window
        while len(messages) < size and time.monotonic() < deadline and not self._stop.is_set():
            self._stop.wait(POLL_INTERVAL)
            messages += backend.receive_message(name, size - len(messages), 0, _visibility_timeout(queue))
        fn = get_backend(account, region).get_function(esm.function_arn)
        log.info("localaws: %s receives a batch of %d message(s) from %s", fn.function_name, len(messages), name)
        try:
            outcome = self._execute(fn, json.dumps(sqs_event(esm, queue, messages)).encode())
        except Throttled as throttled:  # as on Lambda: the batch comes back after the visibility timeout
            log.info("localaws: %s throttled (%s); its batch stays in %s", fn.function_name, throttled.reason, name)
            return
        keep = failed_message_ids(esm, outcome, {m.id for m in messages})
        for m in messages:
            if m.id not in keep:
                backend.delete_message(name, str(m.receipt_handle))
        if keep:
            log.info("localaws: %d message(s) stay in %s for another try: %s", len(keep), name, sorted(keep))
