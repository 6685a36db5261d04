"""The intake: every shape in which an S3 change reaches the function becomes the same small ``Change``.

Shapes (see the README's function section and ``events/`` for recorded examples):

- a direct S3 notification: ``Records[].eventSource == "aws:s3"``;
- SQS messages (``Records[].eventSource == "aws:sqs"``) whose body is any shape here (S3, SNS envelope, EventBridge);
- SNS notifications (``Records[].EventSource == "aws:sns"``) whose message is any shape here;
- an EventBridge event from S3 (``source == "aws.s3"``);
- an S3 Batch Operations invocation, schema 1.0 or 2.0 (``invocationSchemaVersion``, ``tasks[]``).

Keys arrive URL-encoded (form encoding: a space is ``+``) in S3 notifications, in EventBridge's ``detail.object.key``
and in Batch Operations' ``s3Key``; all three are decoded with ``unquote_plus``. The pipeline never learns which
service called: the caller's response is made from the ``Intake`` by ``responses.py``.

Why not Powertools' event data classes and batch processor: measured here, importing
``aws_lambda_powertools.utilities.data_classes`` takes ~49 ms and ``utilities.batch`` ~69 ms, and the package adds
~1 MB to the layer, against a cold-start budget of 1.1x a bare boto3 import that the function already nearly
uses. What it would parse for us fits in this module, with the standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from ..errors import MalformedRecord, UnsupportedEvent

CREATE, REMOVE, IGNORE = "create", "remove", "ignore"
# EventBridge detail-types that change the picture; every other one is skipped with its name as the reason.
_EVENTBRIDGE_ACTIONS = {"Object Created": CREATE, "Object Restore Completed": CREATE, "Object Deleted": REMOVE}
_MAX_NESTING = 3  # SQS <- SNS <- EventBridge is the deepest real wrapping
# An S3 bucket name (general purpose, or a directory bucket's ...--x-s3): what a Batch Operations task must name.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](--[a-z0-9-]+--x-s3)?$")


@dataclass(frozen=True)
class Change:
    """One object whose thumbnails may have to change, and what happened to it."""

    bucket: str
    key: str  # decoded
    action: str  # CREATE, REMOVE or IGNORE
    event_name: str  # as the service named it: "ObjectCreated:Put", "Object Deleted", "BatchOperations"
    version_id: str | None = None
    sequencer: str | None = None


@dataclass
class Item:
    """What the caller counts as one unit: an S3/SNS record, an SQS message, a Batch Operations task."""

    id: str  # SQS messageId, Batch Operations taskId, or the record's position
    changes: list[Change] = field(default_factory=list)
    error: str | None = None  # the item can never be read (malformed); reported, never retried
    test_event: bool = False  # S3's s3:TestEvent: acknowledged quietly


@dataclass
class Intake:
    kind: str  # "s3", "sqs", "sns", "eventbridge" or "batch"
    items: list[Item]
    batch: Mapping[str, Any] | None = None  # the Batch Operations envelope, echoed in the response


def parse_event(event: Any) -> Intake:
    """Turn any supported event into an ``Intake``; raise ``UnsupportedEvent`` naming anything else."""
    if not isinstance(event, Mapping):
        raise UnsupportedEvent(f"expected a JSON object as the event, got {type(event).__name__}")
    if "invocationSchemaVersion" in event and "tasks" in event:
        return Intake("batch", _batch_items(event), batch=event)
    if _is_test_event(event):
        return Intake("s3", [Item("0", test_event=True)])
    if event.get("source") == "aws.s3" and "detail-type" in event:
        return Intake("eventbridge", [_item("0", event, depth=0)])
    records = event.get("Records")
    if isinstance(records, list) and records:
        sources = sorted({str(_record_source(r)) for r in records})
        if len(sources) == 1 and sources[0] in _RECORD_KINDS:
            kind, read = _RECORD_KINDS[sources[0]]
            return Intake(kind, [read(i, r) for i, r in enumerate(records)])
        raise UnsupportedEvent(f"Records with eventSource {sources}; expected all aws:s3, all aws:sqs or all aws:sns")
    raise UnsupportedEvent(_describe(event))


def _describe(event: Mapping[str, Any]) -> str:
    if "getObjectContext" in event:
        return "an S3 Object Lambda request (getObjectContext); this function only reacts to S3 changes"
    if "source" in event and "detail-type" in event:
        return f"an EventBridge event from {event.get('source')!r} ({event.get('detail-type')!r}); expected aws.s3"
    if isinstance(event.get("Records"), list):
        return "an event with an empty Records list"
    keys = ", ".join(sorted(map(str, event))[:8]) or "no keys"
    return f"an event with keys [{keys}]; expected an S3, SQS, SNS, EventBridge or S3 Batch Operations event"


def _record_source(record: Any) -> str | None:
    if not isinstance(record, Mapping):
        return None
    # A hand-made test record often has only the "s3" block: it is read as what it imitates.
    return record.get("eventSource") or record.get("EventSource") or ("aws:s3" if "s3" in record else None)


def _is_test_event(payload: Mapping[str, Any]) -> bool:
    return payload.get("Event") == "s3:TestEvent"


# -- the wrapped shapes: one item each, whatever is inside -------------------------------------------------------


def _item(item_id: str, payload: Any, depth: int) -> Item:
    """An item from a payload that may be any supported shape (an SQS body, an SNS message)."""
    item = Item(item_id)
    try:
        item.changes, item.test_event = _changes(payload, depth)
    except MalformedRecord as exc:
        item.error = str(exc)
    return item


def _changes(payload: Any, depth: int) -> tuple[list[Change], bool]:
    if depth > _MAX_NESTING:
        raise MalformedRecord("the message is wrapped more deeply than SQS, SNS and EventBridge wrap it")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            raise MalformedRecord("the message is not JSON, so not an S3 event") from None
    if not isinstance(payload, Mapping):
        raise MalformedRecord(f"the message is a JSON {type(payload).__name__}, not an S3 event")
    if _is_test_event(payload):
        return [], True
    if payload.get("Type") == "Notification" and "Message" in payload:  # an SNS envelope (SNS -> SQS)
        return _changes(payload["Message"], depth + 1)
    if "detail-type" in payload and "detail" in payload:
        if payload.get("source") != "aws.s3":
            raise MalformedRecord(f"an EventBridge event from {payload.get('source')!r}, not from aws.s3")
        return [eventbridge_change(payload)], False
    records = payload.get("Records")
    if isinstance(records, list):
        if not all(_record_source(r) == "aws:s3" for r in records):
            raise MalformedRecord("the message's Records are not S3 records")
        return [s3_change(r) for r in records], False
    raise MalformedRecord(f"the message has keys [{', '.join(sorted(map(str, payload))[:8])}], not an S3 event")


def _sqs_item(index: int, record: Mapping[str, Any]) -> Item:
    return _item(str(record.get("messageId") or index), record.get("body"), depth=1)


def _sns_item(index: int, record: Mapping[str, Any]) -> Item:
    sns = record.get("Sns")
    message = sns.get("Message") if isinstance(sns, Mapping) else None
    return _item(str(index), message, depth=1)


def _s3_item(index: int, record: Mapping[str, Any]) -> Item:
    item = Item(str(index))
    try:
        item.changes = [s3_change(record)]
    except MalformedRecord as exc:
        item.error = str(exc)
    return item


_RECORD_KINDS = {"aws:s3": ("s3", _s3_item), "aws:sqs": ("sqs", _sqs_item), "aws:sns": ("sns", _sns_item)}


# -- the three S3 shapes -----------------------------------------------------------------------------------------


def s3_action(event_name: str) -> str:
    """``ObjectCreated:*`` and ``ObjectRestore:Completed`` make; ``ObjectRemoved:*`` and ``LifecycleExpiration:*``
    remove; tagging, ACL, replication, restore initiated/expired, transitions and tiering change no pixel."""
    if event_name.startswith("ObjectCreated:") or event_name == "ObjectRestore:Completed":
        return CREATE
    if event_name.startswith(("ObjectRemoved:", "LifecycleExpiration:")):
        return REMOVE
    return IGNORE


def _located(parent: Any, field: str) -> tuple[str, Mapping[str, Any], str]:
    """The bucket name, the object and its decoded key under ``parent[field]`` (``s3`` of an S3 record,
    ``detail`` of an EventBridge event: both hold ``bucket.name`` and ``object.key``)."""
    try:
        located = parent[field]
        obj = located["object"]
        return located["bucket"]["name"], obj, unquote_plus(obj["key"])
    except (KeyError, TypeError) as exc:
        raise MalformedRecord(f"no {field}.bucket.name / {field}.object.key ({exc!r})") from None


def s3_change(record: Any) -> Change:
    bucket, obj, key = _located(record, "s3")
    # S3 always names the event; a hand-made record without a name is taken as an upload.
    event_name = str(record.get("eventName") or "ObjectCreated:Put").removeprefix("s3:")
    return Change(
        bucket, key, s3_action(event_name), event_name, obj.get("versionId") or None, obj.get("sequencer") or None
    )


def eventbridge_change(event: Mapping[str, Any]) -> Change:
    detail_type = str(event.get("detail-type"))
    bucket, obj, key = _located(event, "detail")
    return Change(
        bucket,
        key,
        _EVENTBRIDGE_ACTIONS.get(detail_type, IGNORE),
        detail_type,
        obj.get("version-id") or None,
        obj.get("sequencer") or None,
    )


def _batch_items(event: Mapping[str, Any]) -> list[Item]:
    tasks = event.get("tasks")
    if not isinstance(tasks, list):
        raise UnsupportedEvent("an S3 Batch Operations invocation without a tasks list")
    items = []
    for index, task in enumerate(tasks):
        task = task if isinstance(task, Mapping) else {}
        item = Item(str(task.get("taskId") or index))
        bucket = batch_bucket(task)
        if not task.get("s3Key") or not (task.get("s3Bucket") or task.get("s3BucketArn")):
            item.error = "task has no s3Key and s3Bucket / s3BucketArn"
        elif bucket is None:
            named = task.get("s3Bucket") or task.get("s3BucketArn")
            item.error = f"task names {str(named)[:200]!r}, which is not an S3 bucket (name or ARN)"
        else:
            key = unquote_plus(str(task["s3Key"]))
            item.changes = [Change(bucket, key, CREATE, "BatchOperations", task.get("s3VersionId") or None)]
        items.append(item)
    return items


def batch_bucket(task: Mapping[str, Any]) -> str | None:
    """The bucket a Batch Operations task names, or None when it names none: schema 2.0's ``s3Bucket``, or 1.0's
    ``s3BucketArn`` in each form AWS's examples use -- ``arn:aws:s3:::bucket`` (the S3 user guide) and
    ``arn:aws:s3:us-east-1:0123456788:bucket`` (the Lambda developer guide's sample event), any partition, and a
    ``bucket/`` resource type."""
    name = task.get("s3Bucket")
    if not name:
        parts = str(task.get("s3BucketArn") or "").split(":", 5)
        if len(parts) == 6 and parts[0] == "arn" and parts[2] in ("s3", "s3express"):
            name = parts[5].removeprefix("bucket/")
    return name if isinstance(name, str) and _BUCKET_NAME.match(name) else None
