"""``thumbnails redrive``: what an outage left behind, processed again and taken out of the queue it waits in.

Where failed work waits, read from the function alone:

- its on-failure destination (``on_failure_destination_arn``, an SQS queue): S3, SNS and EventBridge invocations
  whose retries ran out, each as Lambda's invocation record (the event, and the error of the last try);
- its classic dead-letter queue (``dead_letter_target_arn``, SQS): the event, the error in message attributes;
- the dead-letter queue of each SQS queue it reads (the SQS trigger's ``redrive_policy``): the message as it was
  sent, after ``maxReceiveCount`` receives.

Every object a message names (an S3 notification's records, an EventBridge event, an SNS envelope, an SQS body --
whatever wraps it) is processed again by invoking the function with an S3 Batch Operations invocation of those
keys and no version: the function makes the thumbnails of what the object is *now* (or removes them if it is gone),
never of the version in the old event, and a catalogue row is written whatever the old event's sequencer. A message
is deleted once every one of its objects succeeded; the others are left in their queue, visible again, and
reported with why (what failed now, and what failed first).
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from .clients import Clients
from .deployment import Deployment, DeploymentError
from .output import Progress, emit

LISTED_SHOWN = 50  # left messages in the text summary; --json has them all
MAX_NESTING = 5


@dataclass(frozen=True)
class Queue:
    arn: str
    url: str
    kind: str  # "on-failure destination", "dead-letter queue", "dead-letter queue of <source queue>"


@dataclass
class Tally:
    queue: Queue
    messages: int = 0
    redriven: int = 0
    left: list[dict[str, Any]] = field(default_factory=list)
    first_failures: Counter[str] = field(default_factory=Counter)


def queues(clients: Clients, deployment: Deployment) -> tuple[list[Queue], list[str]]:
    """The SQS queues failed work of the function waits in, and notes on the places that cannot be read."""
    lam, sqs = clients("lambda"), clients("sqs")
    found: list[tuple[str, str]] = []
    notes: list[str] = []
    try:
        invoke_config = lam.get_function_event_invoke_config(FunctionName=deployment.function_name)
    except lam.exceptions.ResourceNotFoundException:
        invoke_config = {}
    destination = ((invoke_config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination:
        found.append((destination, "on-failure destination"))
    config = lam.get_function_configuration(FunctionName=deployment.function_name)
    if dead := (config.get("DeadLetterConfig") or {}).get("TargetArn"):
        found.append((dead, "dead-letter queue"))
    for mapping in lam.list_event_source_mappings(FunctionName=deployment.function_name).get("EventSourceMappings", []):
        source = mapping.get("EventSourceArn") or ""
        if source.split(":")[2:3] != ["sqs"]:
            continue
        url = sqs.get_queue_url(QueueName=source.split(":")[5], QueueOwnerAWSAccountId=source.split(":")[4])
        attributes = sqs.get_queue_attributes(QueueUrl=url["QueueUrl"], AttributeNames=["RedrivePolicy"])
        policy = json.loads(attributes.get("Attributes", {}).get("RedrivePolicy") or "{}")
        if policy.get("deadLetterTargetArn"):
            found.append((policy["deadLetterTargetArn"], f"dead-letter queue of {source.split(':')[5]}"))
        else:
            notes.append(f"{source.split(':')[5]} has no dead-letter queue: a failed message stays in it, retried")
    result = []
    for arn, kind in dict.fromkeys(found):  # one queue may be named twice
        _, _, service, _, account, name = arn.split(":", 5)
        if service != "sqs":
            notes.append(f"the {kind} {arn} is not an SQS queue: what it holds cannot be read back")
            continue
        url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        result.append(Queue(arn, url, kind))
    return result, notes


def objects(payload: Any, depth: int = 0) -> list[tuple[str, str]] | None:
    """(bucket, key) of every object a message names, whatever wraps it; [] for S3's test event, None when it
    names none that can be read."""
    if depth > MAX_NESTING:
        return None
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    if not isinstance(payload, dict):
        return None
    if payload.get("Event") == "s3:TestEvent":
        return []
    if "requestContext" in payload and "requestPayload" in payload:  # Lambda's invocation record
        return objects(payload["requestPayload"], depth + 1)
    if payload.get("Type") == "Notification" and "Message" in payload:  # an SNS envelope
        return objects(payload["Message"], depth + 1)
    if "detail" in payload and "detail-type" in payload:  # EventBridge
        return _located(payload.get("detail"))
    records = payload.get("Records")
    if not isinstance(records, list):
        return None
    found: list[tuple[str, str]] = []
    for record in records:
        if not isinstance(record, dict):
            return None
        if "s3" in record:
            inner = _located(record["s3"])
        elif "body" in record:  # SQS
            inner = objects(record["body"], depth + 1)
        elif isinstance(record.get("Sns"), dict):
            inner = objects(record["Sns"].get("Message"), depth + 1)
        else:
            inner = None
        if inner is None:
            return None
        found += inner
    return found


def _located(block: Any) -> list[tuple[str, str]] | None:
    try:
        return [(str(block["bucket"]["name"]), unquote_plus(str(block["object"]["key"])))]
    except (KeyError, TypeError):
        return None


def logged_reasons(logs: Any, log_group: str) -> dict[str, str]:
    """SQS message ID -> the last reason the function logged for it (its ``record failed`` lines name the message
    as ``item``): an SQS dead-letter queue keeps the message, not why it failed."""
    reasons: dict[str, str] = {}
    try:
        pages = logs.get_paginator("filter_log_events").paginate(
            logGroupName=log_group, filterPattern='"record failed"'
        )
        for page in pages:
            for event in page.get("events", []):
                reasons.update(reasons_in(event.get("message", "")))
    except logs.exceptions.ResourceNotFoundException:
        pass
    return reasons


def reasons_in(line: str) -> dict[str, str]:
    """{item: reason} of one ``record failed`` log line (the function's JSON line, or the runtime's JSON record)."""
    try:
        record = json.loads(line)
    except ValueError:
        return {}
    if not isinstance(record, dict) or record.get("message") != "record failed" or record.get("source") != "sqs":
        return {}
    item, reason = record.get("item"), record.get("reason")
    return {str(item): str(reason)} if item and reason else {}


def first_failure(message: dict[str, Any], queue: Queue, logged: dict[str, str] | None = None) -> str:
    """Why the message failed for good the first time, as far as its queue (or the function's log) says."""
    try:
        body = json.loads(message.get("Body") or "")
    except ValueError:
        body = None
    if isinstance(body, dict) and "requestContext" in body and "responseContext" in body:
        response = body.get("responsePayload")
        condition = body["requestContext"].get("condition", "")
        if isinstance(response, dict) and response.get("errorType"):
            return f"{condition}: {response['errorType']}: {str(response.get('errorMessage', ''))[:300]}"
        return str(condition or "failed")
    attributes = message.get("MessageAttributes") or {}
    if "ErrorCode" in attributes or "ErrorMessage" in attributes:
        code = (attributes.get("ErrorCode") or {}).get("StringValue", "")
        text = (attributes.get("ErrorMessage") or {}).get("StringValue", "")
        return f"{code}: {text[:300]}".strip(": ")
    receives = (message.get("Attributes") or {}).get("ApproximateReceiveCount", "?")
    logged_reason = (logged or {}).get(message.get("MessageId", ""))
    if logged_reason:
        return f"{logged_reason} (received {receives} time(s), {queue.kind})"
    return f"received {receives} time(s) without success ({queue.kind}; the function logged no reason for it)"


def batch_event(found: list[tuple[str, str]]) -> dict[str, Any]:
    """An S3 Batch Operations invocation (schema 2.0) of these objects, no version: the function reads each as it
    is now."""
    return {
        "invocationSchemaVersion": "2.0",
        "invocationId": str(uuid.uuid4()),
        "job": {"id": "thumbnails-redrive", "userArguments": {}},
        "tasks": [
            {"taskId": str(i), "s3Bucket": bucket, "s3Key": quote_plus(key, safe="/"), "s3VersionId": None}
            for i, (bucket, key) in enumerate(found)
        ],
    }


def again(lam: Any, deployment: Deployment, found: list[tuple[str, str]]) -> str | None:
    """Process ``found`` again; None when every object succeeded, else why not."""
    if not found:
        return None
    answer = lam.invoke(FunctionName=deployment.function_arn, Payload=json.dumps(batch_event(found)).encode())
    payload = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        payload = payload if isinstance(payload, dict) else {}
        return f"{payload.get('errorType', 'Unhandled')}: {str(payload.get('errorMessage', ''))[:300]}"
    failed = [
        f"s3://{found[int(r['taskId'])][0]}/{found[int(r['taskId'])][1]}: {r['resultCode']}: {r.get('resultString')}"
        for r in (payload or {}).get("results", [])
        if r.get("resultCode") != "Succeeded"
    ]
    answered = {int(r["taskId"]) for r in (payload or {}).get("results", [])}
    failed += [f"s3://{b}/{k}: no result" for i, (b, k) in enumerate(found) if i not in answered]
    return "; ".join(failed) or None


def drain(clients: Clients, deployment: Deployment, queue: Queue, progress: Progress, done: list[int]) -> Tally:
    sqs, lam = clients("sqs"), clients("lambda")
    tally = Tally(queue)
    logged = (
        logged_reasons(clients("logs"), log_group(lam, deployment))
        if queue.kind.startswith("dead-letter queue of")
        else {}
    )
    hidden = max(60, int(deployment_timeout(lam, deployment)) * 2)  # long enough to process one message
    kept: list[str] = []  # receipt handles of the messages left, made visible again at the end
    while True:
        received = sqs.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=hidden,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            break
        for message in received:
            tally.messages += 1
            first = first_failure(message, queue, logged)
            tally.first_failures[": ".join(first.split(" (received")[0].split(": ")[:2])] += 1
            found = objects(message.get("Body"))
            reason = "the message names no S3 object that can be read" if found is None else None
            if found is not None:
                reason = again(lam, deployment, found)
            if reason is None:
                sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
                tally.redriven += 1
            else:
                kept.append(message["ReceiptHandle"])
                tally.left.append(
                    {
                        "queue": queue.arn,
                        "message_id": message["MessageId"],
                        "objects": [f"s3://{b}/{k}" for b, k in found or []],
                        "reason": reason,
                        "first_failure": first,
                    }
                )
            done[0] += 1
            done[1] += reason is not None
            progress.count(done[0], None, failed=done[1], unit="message")
    for handle in kept:
        sqs.change_message_visibility(QueueUrl=queue.url, ReceiptHandle=handle, VisibilityTimeout=0)
    return tally


def log_group(lam: Any, deployment: Deployment) -> str:
    config = lam.get_function_configuration(FunctionName=deployment.function_arn)
    return str((config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{deployment.function_name}")


def deployment_timeout(lam: Any, deployment: Deployment) -> float:
    return float(lam.get_function_configuration(FunctionName=deployment.function_arn).get("Timeout") or 3)


def run(args: argparse.Namespace, clients: Clients, deployment: Deployment, progress: Progress) -> int:
    summary = redrive(clients, deployment, progress)
    emit(summary, args.json, describe(deployment, summary))
    return 0 if not summary["left"] else 1


def redrive(clients: Clients, deployment: Deployment, progress: Progress) -> dict[str, Any]:
    """Every queue drained of what now succeeds; the summary (``--json``'s object)."""
    started = time.monotonic()
    found, notes = queues(clients, deployment)
    if not found:
        raise DeploymentError(
            f"{deployment.function_name} has no SQS queue failed work waits in: set on_failure_destination_arn "
            "(or dead_letter_target_arn) to an SQS queue on the module, or give the SQS trigger's queue a "
            "redrive_policy. " + " ".join(notes)
        )
    done = [0, 0]
    tallies = []
    for queue in found:
        progress.stage(f"redriving the {queue.kind} {queue.arn}")
        tallies.append(drain(clients, deployment, queue, progress, done))
    progress.close()
    left = [entry for tally in tallies for entry in tally.left]
    seconds = round(time.monotonic() - started, 1)
    summary = {
        "command": "redrive",
        "function": deployment.function_name,
        "queues": [
            {
                "arn": t.queue.arn,
                "kind": t.queue.kind,
                "messages": t.messages,
                "redriven": t.redriven,
                "left": len(t.left),
                "first_failures": dict(t.first_failures),
            }
            for t in tallies
        ],
        "messages": sum(t.messages for t in tallies),
        "redriven": sum(t.redriven for t in tallies),
        "left": left,
        "notes": notes,
        "seconds": seconds,
    }
    return summary


def describe(deployment: Deployment, summary: dict[str, Any]) -> str:
    lines = [
        f"redrive of {deployment.function_name}: {summary['redriven']} of {summary['messages']} message(s) "
        f"processed again and removed, {len(summary['left'])} left, in {summary['seconds']} s"
    ]
    for queue in summary["queues"]:
        why = ", ".join(f"{n} {reason}" for reason, n in queue["first_failures"].items())
        lines.append(
            f"  {queue['kind']} {queue['arn']}: {queue['redriven']} redriven, {queue['left']} left"
            + (f" (they had failed: {why})" if why else "")
        )
    lines += [f"  note: {note}" for note in summary["notes"]]
    if summary["left"]:
        lines.append("left in their queue, and why:")
        for entry in summary["left"][:LISTED_SHOWN]:
            lines.append(f"  {entry['message_id']} {' '.join(entry['objects']) or '(no object)'}")
            lines.append(f"    now: {entry['reason']}")
            lines.append(f"    first: {entry['first_failure']}")
        if len(summary["left"]) > LISTED_SHOWN:
            lines.append(f"  ... and {len(summary['left']) - LISTED_SHOWN} more (--json lists them all)")
    return "\n".join(lines)
