"""Each caller's response, made in one place from the intake's results.

- S3, SNS and EventBridge invoke asynchronously: the summary is returned, and a transient failure raises after
  every change was tried, so Lambda's retry and the on-failure destination apply.
- SQS: the partial-batch response. Only messages that failed *transiently* are named, so only they come back;
  a message that can never succeed (not an image, malformed) is logged and reported, then let go.
- S3 Batch Operations: one result per task (Succeeded / TemporaryFailure / PermanentFailure), never an exception.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from ..errors import RetryableError
from ..pipeline import DELETED, FAILED, PROCESSED, SKIPPED, OutcomeFields, Result
from .events import Intake


class Entry(OutcomeFields):
    """One change in the summary: its object, and what became of it."""

    bucket: str | None  # None: an item that could not be read names no object
    key: str | None


class Summary(TypedDict):
    """S3, SNS and EventBridge (asynchronous): every change, by what became of it."""

    processed: list[Entry]
    deleted: list[Entry]
    skipped: list[Entry]
    failed: list[Entry]


class ItemFailure(TypedDict):
    itemIdentifier: str  # the SQS messageId


class PartialBatch(TypedDict):
    """SQS with ReportBatchItemFailures: the messages that come back."""

    batchItemFailures: list[ItemFailure]


class TaskResult(TypedDict):
    taskId: str
    resultCode: Literal["Succeeded", "TemporaryFailure", "PermanentFailure"]
    resultString: str  # at most 1,024 characters


class BatchResults(TypedDict):
    """S3 Batch Operations: one result per task, echoing the invocation."""

    invocationSchemaVersion: Any  # as the invocation said: "1.0" or "2.0"
    treatMissingKeysAs: Literal["PermanentFailure"]
    invocationId: Any
    results: list[TaskResult]


Response = Summary | PartialBatch | BatchResults


def respond(intake: Intake, results: list[Result]) -> Response:
    if intake.kind == "sqs":
        return {"batchItemFailures": [{"itemIdentifier": r.item.id} for r in results if r.transient]}
    if intake.kind == "batch":
        return batch_response(intake, results)
    summary = summarise(results)
    if transient := [f for f in summary["failed"] if f.get("transient")]:
        reasons = "; ".join(f"{f['key']}: {f.get('reason')}" for f in transient)
        raise RetryableError(f"{len(transient)} record(s) failed transiently, retry the event: {reasons}")
    return summary


def summarise(results: list[Result]) -> Summary:
    by_status: dict[str, list[Entry]] = {PROCESSED: [], DELETED: [], SKIPPED: [], FAILED: []}
    for result in results:
        for change, outcome in result.outcomes:
            entry: Entry = {
                "bucket": change.bucket if change else None,
                "key": change.key if change else None,
                **outcome.as_dict(),
            }
            by_status[outcome.status].append(entry)
    return Summary(
        processed=by_status[PROCESSED], deleted=by_status[DELETED], skipped=by_status[SKIPPED], failed=by_status[FAILED]
    )


def batch_response(intake: Intake, results: list[Result]) -> BatchResults:
    assert intake.batch is not None
    return {
        "invocationSchemaVersion": intake.batch.get("invocationSchemaVersion"),
        # A task missing from the results failed: the completion report must never show it as done.
        "treatMissingKeysAs": "PermanentFailure",
        "invocationId": intake.batch.get("invocationId"),
        "results": [_task_result(r) for r in results],
    }


def _task_result(result: Result) -> TaskResult:
    code: Literal["Succeeded", "TemporaryFailure", "PermanentFailure"]
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
