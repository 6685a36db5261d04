"""Each caller's response, made in one place from the intake's results.

- S3, SNS and EventBridge invoke asynchronously: the summary is returned, and a transient failure raises after
  every change was tried, so Lambda's retry and the on-failure destination apply.
- SQS: the partial-batch response. Only messages that failed *transiently* are named, so only they come back;
  a message that can never succeed (not an image, malformed) is logged and reported, then let go.
- S3 Batch Operations: one result per task (Succeeded / TemporaryFailure / PermanentFailure), never an exception.
"""

from __future__ import annotations

from typing import Any

from .events import Intake
from .pipeline import DELETED, FAILED, PROCESSED, SKIPPED, Result, RetryableError


def respond(intake: Intake, results: list[Result]) -> dict[str, Any]:
    if intake.kind == "sqs":
        return {"batchItemFailures": [{"itemIdentifier": r.item.id} for r in results if r.transient]}
    if intake.kind == "batch":
        return batch_response(intake, results)
    summary = summarise(results)
    if transient := [f for f in summary[FAILED] if f.get("transient")]:
        reasons = "; ".join(f"{f['key']}: {f['reason']}" for f in transient)
        raise RetryableError(f"{len(transient)} record(s) failed transiently, retry the event: {reasons}")
    return summary


def summarise(results: list[Result]) -> dict[str, list[dict[str, Any]]]:
    summary: dict[str, list[dict[str, Any]]] = {PROCESSED: [], DELETED: [], SKIPPED: [], FAILED: []}
    for result in results:
        for change, outcome in result.outcomes:
            entry = {"bucket": change.bucket if change else None, "key": change.key if change else None}
            summary[outcome.status].append({**entry, **outcome.as_dict()})
    return summary


def batch_response(intake: Intake, results: list[Result]) -> dict[str, Any]:
    assert intake.batch is not None
    return {
        "invocationSchemaVersion": intake.batch.get("invocationSchemaVersion"),
        # A task missing from the results failed: the completion report must never show it as done.
        "treatMissingKeysAs": "PermanentFailure",
        "invocationId": intake.batch.get("invocationId"),
        "results": [_task_result(r) for r in results],
    }


def _task_result(result: Result) -> dict[str, str]:
    if result.transient:
        code = "TemporaryFailure"
    elif result.failed:
        code = "PermanentFailure"
    else:
        code = "Succeeded"
    strings = []
    for _, outcome in result.outcomes:
        if outcome.status in (PROCESSED, DELETED):
            strings.append(f"{outcome.status} {len(outcome.thumbnails)} thumbnail(s)")
        else:
            strings.append(f"{outcome.status}: {outcome.reason}")
    return {"taskId": result.item.id, "resultCode": code, "resultString": "; ".join(strings)[:1024]}
