"""Seam item 19: Cloud Control API's GetResource for AWS::S3::Bucket, which moto does not serve.

The module reads a bucket's notification configuration at plan through the aws provider's
``aws_cloudcontrolapi_resource`` data source (the provider has no data source for it), to refuse replacing rules
it did not write. Cloud Control answers with the bucket's CloudFormation properties; this answers the part the
module reads (BucketName, Arn, NotificationConfiguration) from moto's S3 buckets, in CloudFormation's shape: one
configuration per event, no Id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server import werkzeug_app
from moto.s3.models import s3_backends

from . import patch

SERVICE = "cloudcontrolapi"
TARGET = "CloudApiService.GetResource"
Respond = Callable[[str, list[tuple[str, str]]], Any]


def signed_for(environ: dict[str, Any]) -> str | None:
    """The service a SigV4 request is signed for (``.../<region>/<service>/aws4_request``), or None."""
    try:
        scope = environ.get("HTTP_AUTHORIZATION", "").split(",")[0].split()[1]
        return scope.split("/")[3].lower()
    except IndexError:
        return None


def find_bucket(name: str) -> Any:
    for account in list(s3_backends.keys()):
        for backend in s3_backends[account].values():
            if name in backend.buckets:
                return backend.buckets[name]
    return None


def cloudformation_rules(notifications: Iterable[Any], target: str) -> list[dict[str, Any]]:
    """moto's notifications of one kind as CloudFormation's configurations: one per event, the filter's rules."""
    rules = []
    for n in notifications:
        for event in n.events:
            rule: dict[str, Any] = {"Event": event, target: n.arn}
            if n.filters.get("S3Key"):
                rules_ = [{"Name": r["Name"], "Value": r["Value"]} for r in n.filters["S3Key"]["FilterRule"]]
                rule["Filter"] = {"S3Key": {"Rules": rules_}}
            rules.append(rule)
    return rules


def bucket_properties(bucket: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {"BucketName": bucket.name, "Arn": f"arn:aws:s3:::{bucket.name}"}
    config = bucket.notification_configuration
    if config is not None:
        notification: dict[str, Any] = {}
        for kind, target, found in (
            ("LambdaConfigurations", "Function", config.cloud_function),
            ("QueueConfigurations", "Queue", config.queue),
            ("TopicConfigurations", "Topic", config.topic),
        ):
            if found:
                notification[kind] = cloudformation_rules(found, target)
        if config.event_bridge is not None:
            notification["EventBridgeConfiguration"] = {"EventBridgeEnabled": True}
        if notification:
            properties["NotificationConfiguration"] = notification
    return properties


def answer(environ: dict[str, Any], start_response: Respond) -> list[bytes]:
    """A WSGI app answering GetResource for AWS::S3::Bucket; anything else is refused as Cloud Control would."""

    def reply(status: str, body: dict[str, Any]) -> list[bytes]:
        start_response(status, [("Content-Type", "application/x-amz-json-1.0")])
        return [json.dumps(body).encode()]

    length = int(environ.get("CONTENT_LENGTH") or 0)
    request = json.loads(environ["wsgi.input"].read(length) or b"{}")
    if environ.get("HTTP_X_AMZ_TARGET") != TARGET or request.get("TypeName") != "AWS::S3::Bucket":
        refused = "localaws answers only GetResource for AWS::S3::Bucket"
        return reply("400 Bad Request", {"__type": "UnsupportedActionException", "Message": refused})
    bucket = find_bucket(request.get("Identifier", ""))
    if bucket is None:
        missing = f"AWS::S3::Bucket Handler returned status FAILED: Bucket {request.get('Identifier')} does not exist"
        return reply("400 Bad Request", {"__type": "ResourceNotFoundException", "Message": missing})
    description = {"Identifier": bucket.name, "Properties": json.dumps(bucket_properties(bucket))}
    return reply("200 OK", {"TypeName": "AWS::S3::Bucket", "ResourceDescription": description})


def serve_bucket_reads() -> None:
    """``moto.moto_server.werkzeug_app.DomainDispatcherApplication.get_application`` -- requests signed for
    ``cloudcontrolapi`` go to ``answer``: moto has no Cloud Control API, so the module's plan-time read of a
    bucket's notification configuration had nowhere to go."""

    def with_cloudcontrol(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_application(self: Any, environ: dict[str, Any]) -> Any:
            if signed_for(environ) == SERVICE:
                return answer
            return original(self, environ)

        return get_application

    patch.replace(werkzeug_app.DomainDispatcherApplication, "get_application", with_cloudcontrol)
