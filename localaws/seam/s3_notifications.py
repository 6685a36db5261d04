"""Seam items 2 and 3: S3's notifications to Lambda delivered asynchronously, with every field S3 writes."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from moto.s3 import exceptions as s3_exceptions
from moto.s3 import models as s3_models
from moto.s3 import notifications as s3_notifications

from ..asyncinvoke import AsyncInvoker
from . import patch
from .functions import function_or_none

_SEQUENCE = itertools.count()
AMBIGUOUS = (
    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are "
    "overlapping for the same event type."
)


def event_key(name: str) -> str:
    """A key as S3 writes it in its events (notifications and EventBridge): form-encoded, slashes kept."""
    return quote_plus(name, safe="/")


def sequencer() -> str:
    """A hexadecimal string that grows with every change, as S3's does (compare them padded to one length)."""
    return f"{time.time_ns() // 1000:014X}{next(_SEQUENCE) % 0x10000:04X}"


def request_id() -> str:
    """An S3 request id: 16 upper-case hexadecimal digits."""
    return secrets.token_hex(8).upper()


def queue_notifications_to_lambda(invoker: AsyncInvoker) -> None:
    """``moto.s3.notifications._invoke_awslambda`` -- moto calls it when an upload matches a bucket notification
    (and would run the function synchronously inside the upload). Here the event is queued, as S3 does."""

    def invoke_from_s3(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        if fn := function_or_none(account_id, region_name, fn_arn):
            invoker.submit(fn, json.dumps(event_body).encode())

    patch.replace(s3_notifications, "_invoke_awslambda", lambda _original: invoke_from_s3)


def complete_notification_records() -> None:
    """``moto.s3.notifications._get_s3_event`` -- wrapped to add what S3 puts in every record and moto leaves out:
    the object's ``versionId`` (versioned buckets) and a ``sequencer`` that grows with every change; the key
    encoded as S3 encodes it (form encoding, slashes kept: moto encodes them as ``%2F``); ``userIdentity``,
    ``requestParameters``, ``responseElements`` and the bucket's ``ownerIdentity``; and no size or ETag in a
    removal's record (moto writes the removed object's). The record has the keys of S3's own (``events/``):
    tests/localaws/seam/test_s3_notifications.py compares them."""

    def completed(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
            marker = isinstance(key, s3_models.FakeDeleteMarker)
            event: dict[str, Any] = original(event_name, bucket, key.key if marker else key, notification_id)
            record = event["Records"][0]
            record.update(
                userIdentity={"principalId": f"AWS:{bucket.account_id}"},
                requestParameters={"sourceIPAddress": "127.0.0.1"},
                responseElements={"x-amz-request-id": request_id(), "x-amz-id-2": secrets.token_urlsafe(48)},
            )
            record["s3"]["bucket"]["ownerIdentity"] = {"principalId": bucket.account_id}
            obj = record["s3"]["object"]
            if marker or event_name.startswith("s3:ObjectRemoved"):  # S3 names the key (and version), no size/ETag
                obj.pop("size", None)
                obj.pop("eTag", None)
            obj["key"] = event_key(key.name)  # moto encodes the slashes too
            obj["sequencer"] = sequencer()
            if key.version_id and bucket.is_versioned:
                obj["versionId"] = str(key.version_id)
            return event

        return get_s3_event

    patch.replace(s3_notifications, "_get_s3_event", completed)


def complete_test_events() -> None:
    """``moto.s3.notifications._get_test_event`` -- wrapped to add the ``RequestId`` and ``HostId`` S3 writes in the
    ``s3:TestEvent`` it sends to a queue or topic when a notification configuration names it (moto leaves them
    out). tests/localaws/seam/test_s3_notifications.py compares it with S3's own (``events/``)."""

    def completed(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_test_event(bucket_name: str) -> dict[str, Any]:
            event: dict[str, Any] = original(bucket_name)
            event.update(RequestId=request_id(), HostId=secrets.token_urlsafe(48))
            return event

        return get_test_event

    patch.replace(s3_notifications, "_get_test_event", completed)


def _events_overlap(one: str, other: str) -> bool:
    """``s3:ObjectCreated:*`` overlaps every ``s3:ObjectCreated:...``; any event overlaps itself."""
    if one == other:
        return True
    return any(a.endswith(":*") and b.startswith(a[:-1]) for a, b in ((one, other), (other, one)))


def _key_filter(rule: Any) -> tuple[str, str]:
    """A rule's (prefix, suffix); "" where it has none."""
    rules = (rule.filters or {}).get("S3Key", {}).get("FilterRule", [])
    if isinstance(rules, dict):  # one rule, as moto's XML parser gives it
        rules = [rules]
    values = {str(r.get("Name", "")).lower(): str(r.get("Value") or "") for r in rules}
    return values.get("prefix", ""), values.get("suffix", "")


def ambiguous(rules: list[Any]) -> bool:
    """Two of ``rules`` (moto's Notification: events and filters) overlap as S3 refuses: an event type in common
    (a wildcard covers its events), prefixes one of which starts the other, and suffixes one of which ends the
    other (no prefix or suffix overlaps every one), whatever their destinations."""
    for i, one in enumerate(rules):
        for other in rules[i + 1 :]:
            if not any(_events_overlap(a, b) for a in one.events for b in other.events):
                continue
            (prefix_a, suffix_a), (prefix_b, suffix_b) = _key_filter(one), _key_filter(other)
            prefixes = prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)
            suffixes = suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)
            if prefixes and suffixes:
                return True
    return False


def refuse_overlapping_rules() -> None:
    """``moto.s3.models.S3Backend.put_bucket_notification_configuration`` -- wrapped so a configuration whose rules
    overlap (an event type in common and overlapping prefix and suffix filters, across its Lambda, queue and topic
    rules, whatever their destinations) is refused with S3's ``InvalidArgument`` "Configuration is ambiguously
    defined...", and the bucket keeps the configuration it had. moto saved it, so a configuration S3 refuses (the
    README's own ``trigger = "none"`` snippet once) applied locally."""

    def refusing(original: Callable[..., Any]) -> Callable[..., Any]:
        def put_bucket_notification_configuration(self: Any, bucket_name: str, notification_config: Any) -> None:
            if notification_config:  # checked before moto saves it (and sends its test event)
                config = s3_models.NotificationConfiguration(
                    topic=notification_config.get("TopicConfiguration"),
                    queue=notification_config.get("QueueConfiguration"),
                    cloud_function=notification_config.get("CloudFunctionConfiguration"),
                )
                if ambiguous([*config.topic, *config.queue, *config.cloud_function]):
                    raise s3_exceptions.InvalidArgumentError(AMBIGUOUS, "Event", "null")
            original(self, bucket_name, notification_config)

        return put_bucket_notification_configuration

    patch.replace(s3_models.S3Backend, "put_bucket_notification_configuration", refusing)
