"""The Lambda entry point, ``app.handler``: read the event (any shape), call the pipeline, answer the caller.

Clients and settings are made once per execution environment, on the first invocation (never at import, so a
test's mock is in place first). boto3 honours ``AWS_ENDPOINT_URL``, so the same code runs on a local endpoint.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from thumbnailer import ondemand
from thumbnailer.aws import cdn, metrics, storage, urls
from thumbnailer.aws.events import parse_event
from thumbnailer.aws.logs import log
from thumbnailer.aws.responses import Response, respond
from thumbnailer.errors import UnsupportedEvent
from thumbnailer.pipeline import FAILED, Result, process
from thumbnailer.settings import Settings, load_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client  # types only: mypy-boto3-s3 is a development dependency

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=60)


@functools.cache
def settings() -> Settings:
    return load_settings()


@functools.cache
def s3_client() -> S3Client:
    client = boto3.client("s3", config=_CLIENT_CONFIG)
    log(logging.DEBUG, "client made", service="s3")
    config = settings()
    storage.expect_owners(
        client, config.destination_bucket, config.destination_bucket_owner, config.source_bucket_owner
    )
    return client


@functools.cache
def catalogue() -> Any:
    """The image catalogue (thumbnailer/catalogue/), or None when it is off: DATABASE_SECRET_ARN names its
    login, or -- for local development only -- DB_HOST and the other DB_* variables do. Imported here, so a
    function without a database never loads the driver."""
    config = settings()
    if not config.database_secret_arn and not os.environ.get("DB_HOST"):
        return None
    from thumbnailer.catalogue.catalogue import Catalogue
    from thumbnailer.catalogue.credentials import Endpoint, EnvironmentLogin, SecretLogin

    if config.database_secret_arn:
        client = boto3.client("secretsmanager", config=_CLIENT_CONFIG)
        log(logging.DEBUG, "client made", service="secretsmanager")
        endpoint = Endpoint(config.database_host or None, config.database_port or None, config.database_name or None)
        login: Any = SecretLogin(client, config.database_secret_arn, endpoint)
    else:
        login = EnvironmentLogin(os.environ)
    return Catalogue(login, config.database_table, tls=config.database_tls, ca_bundle=config.database_ca_bundle or None)


def handler(event: Any, context: Any) -> Response:
    """S3, SQS, SNS, EventBridge or S3 Batch Operations in; that caller's response out (see responses.py)."""
    request_id = getattr(context, "aws_request_id", "-")
    try:
        intake = parse_event(event)
    except UnsupportedEvent as exc:
        log(logging.ERROR, "unsupported event", request_id=request_id, reason=str(exc))
        raise
    started = time.perf_counter()
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    results = process(
        intake, settings(), s3_client(), request_id, Path(tempfile.gettempdir()), catalogue(),
        remaining_ms=remaining, invalidate=invalidator(),
    )  # fmt: skip
    _publish_metrics(results, (time.perf_counter() - started) * 1000)
    return respond(intake, results)


def invalidator() -> Callable[[list[str], str], str] | None:
    """With on_demand.invalidate (ON_DEMAND_DISTRIBUTION_ID), CloudFront's invalidation of a changed source's
    variants; None otherwise (no CloudFront client is made)."""
    distribution = settings().on_demand_distribution_id
    if not distribution:
        return None
    return functools.partial(cdn.invalidate, cloudfront_client(), distribution)


@functools.cache
def cloudfront_client() -> Any:
    return boto3.client("cloudfront", config=_CLIENT_CONFIG)


@functools.cache
def signing_secret() -> bytes:
    """The on-demand path's signing key (ON_DEMAND_SIGNING_SECRET_ARN's SecretString), read once, on first need."""
    client = boto3.client("secretsmanager", config=_CLIENT_CONFIG)
    value = client.get_secret_value(SecretId=settings().on_demand_signing_secret_arn)
    return str(value["SecretString"]).encode()


def url_handler(event: Any, context: Any) -> urls.HttpResponse:
    """The on-demand path (thumbnailer/ondemand.py): a function URL's GET of a variant's key, which CloudFront's S3
    origin did not have. Refusals are answered (400/403/414/422), logged and counted like the upload path's."""
    request_id = getattr(context, "aws_request_id", "-")
    request = urls.parse_request(event)
    started = time.perf_counter()
    config = settings()
    if request.method not in ("GET", "HEAD"):
        answer = ondemand.Answer(405, b"GET only", {"Allow": "GET, HEAD"}, "method not allowed")
    else:
        try:
            variant = ondemand.wanted(request.path, config, request.signature, signing_secret)
        except ondemand.Refused as no:
            answer = ondemand.Answer(no.status, no.reason.encode(), {"Cache-Control": "no-store"}, no.reason)
        except Exception as exc:  # the signing secret could not be read: try again, nothing cached
            log(logging.ERROR, "signing secret unreadable", request_id=request_id, error=type(exc).__name__)
            answer = ondemand.Answer(503, b"try again", {"Cache-Control": "no-store", "Retry-After": "1"}, str(exc))
        else:
            answer = ondemand.serve(
                variant, config, s3_client(), Path(tempfile.gettempdir()), catalogue(), request.viewer_path
            )
    ms = (time.perf_counter() - started) * 1000
    refused = answer.status >= 400 and answer.status not in (404, 503)
    log(
        logging.ERROR if refused else logging.INFO,
        f"request {answer.status}",
        request_id=request_id,
        source="url",
        path=request.path,
        status=answer.status,
        ms=round(ms, 1),
        **({"reason": answer.reason} if answer.reason else {}),
    )
    counts = {"Processed": int(answer.status in (200, 302)), "Skipped": int(answer.status == 404), "Deleted": 0}
    counts["TransientFailures"] = int(answer.status == 503)
    metrics.publish(counts, [answer.reason] if refused else [], ms)
    return urls.http_response(answer.status, answer.body, answer.headers, head=request.method == "HEAD")


def _publish_metrics(results: list[Result], duration_ms: float) -> None:
    """What became of every change, as CloudWatch metrics (thumbnailer/aws/metrics.py): refusals are counted even
    though the invocation succeeds."""
    counts = {"Processed": 0, "Deleted": 0, "Skipped": 0, "TransientFailures": 0}
    refusals = []
    for result in results:
        for _, outcome in result.outcomes:
            if outcome.status != FAILED:
                counts[outcome.status.capitalize()] += 1
            elif outcome.transient:
                counts["TransientFailures"] += 1
            else:
                refusals.append(outcome.reason or "")
    metrics.publish(counts, refusals, duration_ms)
