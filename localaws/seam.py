"""The seam between moto and our execution: these functions of moto's are replaced, nothing else.

1. ``moto.awslambda.models.LambdaFunction.invoke`` -- moto calls it for the Invoke API (and would run Docker).
   RequestResponse runs the function now; Event is queued for the asynchronous invoker; DryRun does nothing.
2. ``moto.s3.notifications._invoke_awslambda`` -- moto calls it when an upload matches a bucket notification
   (and would run the function synchronously inside the upload). Here the event is queued, as S3 does.
3. ``moto.s3.notifications._get_s3_event`` -- wrapped to add what S3 puts in every record and moto leaves out:
   the object's ``versionId`` (versioned buckets) and a ``sequencer`` that grows with every change; and the key
   encoded as S3 encodes it (form encoding, slashes kept: moto encodes them as ``%2F``).
4. ``moto.awslambda.models.LambdaBackend.send_sns_message`` -- SNS invokes a subscribed function
   asynchronously (retries, on-failure destination); moto invoked it synchronously inside ``Publish``.
5. ``moto.awslambda.models.LambdaBackend.create_event_source_mapping`` -- wrapped so moto's inline delivery of
   SQS messages is off; ``sqspoller.SqsPoller`` polls the mapping instead (batches, partial batch responses).
6. ``moto.s3.notifications._send_event_bridge_message`` -- S3's event to EventBridge as S3 sends it (the key
   URL-encoded, a real sequencer, ``deletion-type``), to the **default** bus only.
7. ``moto.events.models.Rule.send_to_targets`` -- wrapped so a Lambda target is invoked asynchronously (moto has
   no Lambda targets); every other target goes to moto as before.
8. ``moto.s3.responses.S3Response.list_object_versions`` -- wrapped so ``encoding-type=url`` is honoured, as
   ListObjects(V2) already is in moto: keys, prefixes and markers URL-encoded and ``EncodingType`` in the answer.
   Without it, a client that decodes keys (the Go SDK emptying a bucket for ``terraform destroy``) reads
   ``a+b.jpg`` as ``a b.jpg``, deletes a key that does not exist, and lists again, forever.
9. ``moto.s3.responses.S3Response._bucket_response`` and ``._key_response`` -- wrapped so
   ``x-amz-expected-bucket-owner`` is checked, as S3 does: a bucket owned by another account answers 403
   AccessDenied (moto ignores the header).
10. ``moto.sqs.models.Queue.attributes`` -- wrapped so ``RedrivePolicy`` is compact JSON, as SQS returns it. moto
   writes it with spaces, which the provider reads as a change to every queue with a dead-letter queue: a second
   ``terraform apply`` updated the queue again (and waited 25 s for the attributes to settle) every time.
11. ``moto.s3.models.S3Backend.delete_object`` -- wrapped so a delete that leaves a delete marker (a versioned
   bucket, no version named) sends ``s3:ObjectRemoved:DeleteMarkerCreated`` (and EventBridge's "Object Deleted",
   ``deletion-type`` "Delete Marker Created"), as S3 does. moto sends nothing then, so a versioned source's
   thumbnails were never removed locally.
12. ``moto.s3.utils._VersionedKeyStore.pop`` -- moto disposes of every version of a key it removes, and a delete
   marker has no ``dispose``: deleting a key whose versions include a delete marker, once versioning is
   suspended (as ``terraform destroy`` does before it empties the bucket), answered 500, and the provider
   retried forever. Versions without ``dispose`` are skipped.
13. ``moto.awslambda.models.LambdaBackend.create_function``, ``.update_function_configuration`` and
   ``LambdaFunction.get_configuration`` -- wrapped so a function's ``LoggingConfig`` is kept and answered (moto
   drops it; the runtime formats logs by it: platformlog.py), and an update of ``EphemeralStorage`` is applied
   (moto keeps the size it was created with). Without them a plan of ``logging_config`` or a new
   ``ephemeral_storage`` showed a change on every apply.

Throttling (runtime.Throttled) is answered as Lambda answers it: ``TooManyRequestsException``, HTTP 429, with the
``Reason``.

tests/localaws/test_seam.py pins every signature against the pinned moto version.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import quote, quote_plus

from moto.awslambda import exceptions as lambda_exceptions
from moto.awslambda import models as lambda_models
from moto.events import models as events_models
from moto.s3 import exceptions as s3_exceptions
from moto.s3 import models as s3_models
from moto.s3 import notifications as s3_notifications
from moto.s3 import responses as s3_responses
from moto.s3 import utils as s3_utils
from moto.sqs import models as sqs_models

from .asyncinvoke import AsyncInvoker
from .platformlog import LoggingConfig
from .runtime import Runtime, Throttled

log = logging.getLogger("localaws")
_ORIGINALS: dict[str, Callable[..., Any]] = {}
# (object, attribute) of everything replaced, in the order installed.
_PATCHED = [
    (lambda_models.LambdaFunction, "invoke"),
    (s3_notifications, "_invoke_awslambda"),
    (s3_notifications, "_get_s3_event"),
    (lambda_models.LambdaBackend, "send_sns_message"),
    (lambda_models.LambdaBackend, "create_event_source_mapping"),
    (s3_notifications, "_send_event_bridge_message"),
    (events_models.Rule, "send_to_targets"),
    (s3_responses.S3Response, "list_object_versions"),
    (s3_responses.S3Response, "_bucket_response"),
    (s3_responses.S3Response, "_key_response"),
    (sqs_models.Queue, "attributes"),
    (s3_models.S3Backend, "delete_object"),
    (s3_utils._VersionedKeyStore, "pop"),
    (lambda_models.LambdaBackend, "create_function"),
    (lambda_models.LambdaBackend, "update_function_configuration"),
    (lambda_models.LambdaFunction, "get_configuration"),
]
DELETE_MARKER_CREATED = s3_notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT
_SEQUENCE = itertools.count()


class TooManyRequests(lambda_exceptions.LambdaClientError):
    """Lambda's answer to a throttled synchronous invoke."""

    code = 429

    def __init__(self, reason: str) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")
        self.description = json.dumps(
            {"__type": "TooManyRequestsException", "message": "Rate Exceeded.", "Reason": reason, "Type": "User"}
        )


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return None


def event_key(name: str) -> str:
    """A key as S3 writes it in its events (notifications and EventBridge): form-encoded, slashes kept."""
    return quote_plus(name, safe="/")


def sequencer() -> str:
    """A hexadecimal string that grows with every change, as S3's does (compare them padded to one length)."""
    return f"{time.time_ns() // 1000:014X}{next(_SEQUENCE) % 0x10000:04X}"


def _function(account_id: str, region_name: str, arn: str) -> Any | None:
    from moto.awslambda.utils import get_backend

    try:
        return get_backend(account_id, region_name).get_function(arn)
    except Exception:  # as AWS: a missing function never fails the producer
        log.warning("localaws: an event for %s, which does not exist, is dropped", arn)
        return None


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


def url_encode_listing(result: dict[str, Any]) -> None:
    """Encode a ListObjectVersions result the way S3 does for ``encoding-type=url`` (in place)."""
    for name in ("Prefix", "KeyMarker", "NextKeyMarker", "Delimiter"):
        if result.get(name):
            result[name] = quote(result[name])
    for entry in [*result.get("Versions", []), *result.get("DeleteMarkers", [])]:
        entry["Key"] = quote(entry["Key"])
    for common in result.get("CommonPrefixes", []):
        common["Prefix"] = quote(common["Prefix"])
    result["EncodingType"] = "url"


def owner_checked(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` (an S3Response handler) preceded by S3's ExpectedBucketOwner check."""

    def checked(self: Any, request: Any, full_url: str) -> Any:
        expected = _header(request.headers, "x-amz-expected-bucket-owner")
        if expected and self.bucket_name:
            try:
                bucket = self.backend.get_bucket(self.bucket_name)
            except s3_exceptions.MissingBucket:
                bucket = None  # the call itself answers NoSuchBucket
            if bucket is not None and bucket.account_id != expected:
                raise s3_exceptions.S3AccessDeniedError()
        return original(self, request, full_url)

    return checked


def compact_redrive_policy(original: property) -> property:
    def attributes(self: Any) -> dict[str, Any]:
        result = cast(dict[str, Any], original.fget(self))  # type: ignore[misc]
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    return property(attributes)


def install(runtime: Runtime, invoker: AsyncInvoker) -> None:
    if _ORIGINALS:
        raise RuntimeError("the localaws seam is already installed")
    for owner, name in _PATCHED:
        _ORIGINALS[name] = getattr(owner, name)

    def invoke(self: Any, body: str | bytes, request_headers: Any, response_headers: Any) -> bytes:
        payload = body.encode() if isinstance(body, str) else (body or b"{}")
        kind = _header(request_headers, "x-amz-invocation-type") or "RequestResponse"
        if kind == "Event":
            invoker.submit(self, payload)
            return b""
        if kind == "DryRun":
            return b""
        try:
            outcome = runtime.execute(self, payload)
        except Throttled as throttled:
            raise TooManyRequests(throttled.reason) from None
        if outcome.error:
            response_headers["x-amz-function-error"] = outcome.error
        if _header(request_headers, "x-amz-log-type") == "Tail":
            tail = outcome.logs.encode()[-4096:]
            response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
        return outcome.payload

    def invoke_from_s3(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        if fn := _function(account_id, region_name, fn_arn):
            invoker.submit(fn, json.dumps(event_body).encode())

    def get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        marker = isinstance(key, s3_models.FakeDeleteMarker)
        event = _ORIGINALS["_get_s3_event"](event_name, bucket, key.key if marker else key, notification_id)
        obj = event["Records"][0]["s3"]["object"]
        if marker:  # S3's record of a delete marker names the key and the marker's version, no size or ETag
            obj.pop("size", None)
            obj.pop("eTag", None)
        obj["key"] = event_key(key.name)  # moto encodes the slashes too
        obj["sequencer"] = sequencer()
        if key.version_id and bucket.is_versioned:
            obj["versionId"] = str(key.version_id)
        return event

    def send_sns_message(
        self: Any, function_name: str, message: str, subject: str | None = None, qualifier: str | None = None
    ) -> None:
        fn = _function(self.account_id, self.region_name, function_name)
        if fn is None:
            return
        record = {
            "EventVersion": "1.0",
            "EventSource": "aws:sns",
            "EventSubscriptionArn": f"arn:aws:sns:{self.region_name}:{self.account_id}:subscription",
            "Sns": {
                "Type": "Notification",
                "MessageId": str(uuid.uuid4()),
                "Subject": subject,
                "Message": message,
                "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "SignatureVersion": "1",
                "MessageAttributes": {},
            },
        }
        invoker.submit(fn, json.dumps({"Records": [record]}).encode())

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        esm = _ORIGINALS["create_event_source_mapping"](self, spec)
        if esm.event_source_arn.split(":")[2] == "sqs":  # sqspoller.SqsPoller delivers it, not moto inline
            from moto.sqs.models import sqs_backends

            for queue in sqs_backends[self.account_id][self.region_name].queues.values():
                queue.lambda_event_source_mappings.pop(esm.function_arn, None)
        return esm

    def send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
        from moto.events.models import events_backends

        try:
            event = eventbridge_event(account_id, bucket, event_name, key)
        except ValueError:  # an event S3 does not send to EventBridge
            return
        bus = events_backends[account_id][bucket.region_name].event_buses.get("default")
        for rule in list(bus.rules.values()) if bus else []:
            try:
                rule.send_to_targets(cast(Any, event), transform_input=False)
            except Exception:  # as S3: a failing target never fails the upload
                log.exception("localaws: EventBridge rule %s", rule.name)

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        lambdas = [t for t in self.targets if t["Arn"].split(":")[2] == "lambda"]
        if lambdas and self.event_pattern.matches_event(original_event):
            for target in lambdas:
                _, _, _, region, account, *_ = target["Arn"].split(":")
                payload = target.get("Input") or json.dumps(original_event)
                if fn := _function(account, region, target["Arn"]):
                    invoker.submit(fn, payload.encode())
        others = [t for t in self.targets if t not in lambdas]
        if others:
            rule = copy.copy(self)
            rule.targets = others
            _ORIGINALS["send_to_targets"](rule, original_event, transform_input)

    def list_object_versions(self: Any) -> Any:
        if self.querystring.get("encoding-type", [None])[0] == "url":
            serialize = self.serialized  # one response object per request: this changes only this answer

            def serialized(action_result: Any) -> Any:
                url_encode_listing(action_result.result)
                return serialize(action_result)

            self.serialized = serialized
        return _ORIGINALS["list_object_versions"](self)

    def delete_object(
        self: Any, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False
    ) -> tuple[bool, dict[str, Any]]:
        deleted, meta = _ORIGINALS["delete_object"](self, bucket_name, key_name, version_id, bypass)
        if deleted and version_id is None and meta.get("delete-marker") == "true":
            bucket = self.get_bucket(bucket_name)
            marker = bucket.keys.getlist(key_name)[-1]
            s3_notifications.send_event(self.account_id, DELETE_MARKER_CREATED, bucket, marker)
        return deleted, meta

    def pop_versions(self: Any, key: str) -> None:
        for version in self.getlist(key, []):
            if hasattr(version, "dispose"):  # a delete marker holds no data to dispose of
                version.dispose()
        dict.pop(self, key)

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        fn = _ORIGINALS["create_function"](self, spec)
        fn.logging_config = spec.get("LoggingConfig") or {}
        return fn

    def update_function_configuration(
        self: Any, function_name: str, qualifier: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        fn = self.get_function(function_name, qualifier)
        if "LoggingConfig" in body:
            fn.logging_config = {**getattr(fn, "logging_config", {}), **body["LoggingConfig"]}
        if "EphemeralStorage" in body:
            fn.ephemeral_storage = body["EphemeralStorage"]["Size"]
        return cast(
            dict[str, Any] | None, _ORIGINALS["update_function_configuration"](self, function_name, qualifier, body)
        )

    def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        config = cast(dict[str, Any], _ORIGINALS["get_configuration"](self, on_create))
        config["LoggingConfig"] = LoggingConfig.of(self).api_shape()
        return config

    replacements = {
        "invoke": invoke,
        "_invoke_awslambda": invoke_from_s3,
        "_get_s3_event": get_s3_event,
        "send_sns_message": send_sns_message,
        "create_event_source_mapping": create_event_source_mapping,
        "_send_event_bridge_message": send_event_bridge_message,
        "send_to_targets": send_to_targets,
        "list_object_versions": list_object_versions,
        "_bucket_response": owner_checked(_ORIGINALS["_bucket_response"]),
        "_key_response": owner_checked(_ORIGINALS["_key_response"]),
        "attributes": compact_redrive_policy(cast(property, _ORIGINALS["attributes"])),
        "delete_object": delete_object,
        "pop": pop_versions,
        "create_function": create_function,
        "update_function_configuration": update_function_configuration,
        "get_configuration": get_configuration,
    }
    for owner, name in _PATCHED:
        setattr(owner, name, replacements[name])


def uninstall() -> None:
    for owner, name in _PATCHED:
        if name in _ORIGINALS:
            setattr(owner, name, _ORIGINALS.pop(name))
