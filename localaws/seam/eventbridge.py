"""Seam items 6 and 7: S3's events to EventBridge as S3 sends them, and EventBridge's Lambda targets invoked."""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from moto.events import models as events_models
from moto.s3 import notifications as s3_notifications

from ..asyncinvoke import AsyncInvoker
from . import patch
from .functions import function_or_none
from .s3_notifications import event_key, sequencer
from .s3_versions import DELETE_MARKER_CREATED

log = logging.getLogger("localaws")


def eventbridge_event(account_id: str, bucket: Any, event_name: str, key: Any) -> dict[str, Any]:
    """S3's event to EventBridge, as documented in the S3 user guide (EventBridge event message structure)."""
    detail_type = s3_notifications._detail_type(event_name)
    obj: dict[str, Any] = {"key": event_key(key.name), "sequencer": sequencer()}
    if key.version_id and bucket.is_versioned:
        obj["version-id"] = str(key.version_id)
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket.name},
        "object": obj,
        "request-id": uuid.uuid4().hex[:16].upper(),
        "requester": account_id,
        "source-ip-address": "127.0.0.1",
    }
    if detail_type == "Object Deleted":
        detail["reason"] = "DeleteObject"
        marker = event_name == DELETE_MARKER_CREATED
        detail["deletion-type"] = "Delete Marker Created" if marker else "Permanently Deleted"
    else:
        obj.update(size=key.size, etag=key.etag.replace('"', ""))
        detail["reason"] = {
            "Put": "PutObject",
            "Post": "POST Object",
            "Copy": "CopyObject",
            "CompleteMultipartUpload": "CompleteMultipartUpload",
        }.get(event_name.split(":")[-1], event_name.split(":")[-1])
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.s3",
        "account": account_id,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": bucket.region_name,
        "resources": [bucket.arn],
        "detail": detail,
    }


def as_moto_event(event: Any) -> Any:
    """``event`` with its ``time`` in seconds since the epoch, as moto's targets read it (S3's events here carry
    EventBridge's ISO time)."""
    if isinstance(event, dict) and isinstance(event.get("time"), str):
        return {**event, "time": datetime.fromisoformat(event["time"]).timestamp()}
    return event


def send_s3_events_as_s3_does() -> None:
    """``moto.s3.notifications._send_event_bridge_message`` -- S3's event to EventBridge as S3 sends it (the key
    URL-encoded, a real sequencer, ``deletion-type``), to the **default** bus only."""

    def send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
        try:
            event = eventbridge_event(account_id, bucket, event_name, key)
        except ValueError:  # an event S3 does not send to EventBridge
            return
        bus = events_models.events_backends[account_id][bucket.region_name].event_buses.get("default")
        for rule in list(bus.rules.values()) if bus else []:
            try:
                rule.send_to_targets(cast(Any, event), transform_input=False)
            except Exception:  # as S3: a failing target never fails the upload
                log.exception("localaws: EventBridge rule %s", rule.name)

    patch.replace(s3_notifications, "_send_event_bridge_message", lambda _original: send_event_bridge_message)


def invoke_lambda_targets(invoker: AsyncInvoker) -> None:
    """``moto.events.models.Rule.send_to_targets`` -- wrapped so a Lambda target is invoked asynchronously (moto
    has no Lambda targets); every other target goes to moto as before, with an S3 event's ``time`` in seconds since
    the epoch, as moto's own events carry it (moto's SQS target failed on the ISO time S3's events have, so an S3
    event never reached a queue through a rule)."""

    def with_lambda_targets(original: Callable[..., Any]) -> Callable[..., Any]:
        def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
            lambdas = [t for t in self.targets if t["Arn"].split(":")[2] == "lambda"]
            if lambdas and self.event_pattern.matches_event(original_event):
                for target in lambdas:
                    _, _, _, region, account, *_ = target["Arn"].split(":")
                    payload = target.get("Input") or json.dumps(original_event)
                    if fn := function_or_none(account, region, target["Arn"]):
                        invoker.submit(fn, payload.encode())
            others = [t for t in self.targets if t not in lambdas]
            if others:
                rule = copy.copy(self)
                rule.targets = others
                original(rule, as_moto_event(original_event), transform_input)

        return send_to_targets

    patch.replace(events_models.Rule, "send_to_targets", with_lambda_targets)
