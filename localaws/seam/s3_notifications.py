"""Seam items 2 and 3: S3's notifications to Lambda delivered asynchronously, with every field S3 writes."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from moto.s3 import models as s3_models
from moto.s3 import notifications as s3_notifications

from ..asyncinvoke import AsyncInvoker
from . import patch
from .functions import function_or_none

_SEQUENCE = itertools.count()


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
