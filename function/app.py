"""The Lambda entry point, ``app.handler``: unpack the event, call the pipeline, report.

Clients and settings are made once per execution environment, on the first invocation (never at import, so a
test's mock is in place first). boto3 honours ``AWS_ENDPOINT_URL``, so the same code runs on a local endpoint.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from thumbnailer.pipeline import RetryableError, process_event
from thumbnailer.settings import Settings, load_settings

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=60)


@functools.cache
def settings() -> Settings:
    return load_settings()


@functools.cache
def s3_client() -> Any:
    return boto3.client("s3", config=_CLIENT_CONFIG)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id = getattr(context, "aws_request_id", "-")
    summary = process_event(event, settings(), s3_client(), request_id, Path(tempfile.gettempdir()))
    if summary.transient:
        reasons = "; ".join(f"{f['key']}: {f['reason']}" for f in summary.transient)
        raise RetryableError(f"{len(summary.transient)} record(s) failed transiently, retry the event: {reasons}")
    return summary.as_dict()
