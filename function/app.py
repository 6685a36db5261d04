"""The Lambda entry point, ``app.handler``: read the event (any shape), call the pipeline, answer the caller.

Clients and settings are made once per execution environment, on the first invocation (never at import, so a
test's mock is in place first). boto3 honours ``AWS_ENDPOINT_URL``, so the same code runs on a local endpoint.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from thumbnailer import storage
from thumbnailer.events import UnsupportedEvent, parse_event
from thumbnailer.logs import log
from thumbnailer.pipeline import process
from thumbnailer.responses import respond
from thumbnailer.settings import Settings, load_settings

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=60)


@functools.cache
def settings() -> Settings:
    return load_settings()


@functools.cache
def s3_client() -> Any:
    client = boto3.client("s3", config=_CLIENT_CONFIG)
    config = settings()
    storage.expect_owners(
        client, config.destination_bucket, config.destination_bucket_owner, config.source_bucket_owner
    )
    return client


def handler(event: Any, context: Any) -> dict[str, Any]:
    """S3, SQS, SNS, EventBridge or S3 Batch Operations in; that caller's response out (see responses.py)."""
    request_id = getattr(context, "aws_request_id", "-")
    try:
        intake = parse_event(event)
    except UnsupportedEvent as exc:
        log(logging.ERROR, "unsupported event", request_id=request_id, reason=str(exc))
        raise
    results = process(intake, settings(), s3_client(), request_id, Path(tempfile.gettempdir()))
    return respond(intake, results)
