from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

import app

EVENTS = Path(__file__).resolve().parents[2] / "events"
SOURCE = "uploads"
DEST = "thumbs"


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def s3_event(*keys: str, bucket: str = SOURCE, encoded: bool = False) -> dict:
    """An S3 Put event in the seed note's format, one record per key."""
    from urllib.parse import quote_plus

    template = load_event("s3-put.json")["Records"][0]
    records = []
    for key in keys:
        record = json.loads(json.dumps(template))
        record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
        record["s3"]["object"]["key"] = quote_plus(key, safe="/") if encoded else key
        records.append(record)
    return {"Records": records}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "DESTINATION_BUCKET": DEST,
        "THUMBNAIL_SIZES": "256",
    }.items():
        monkeypatch.setenv(name, value)
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_PROFILE",
        "DESTINATION_PREFIX",
        "OUTPUT_FORMAT",
        "OUTPUT_FORMATS",
        "COLOUR",
        "JPEG_PROGRESSIVE",
        "CACHE_CONTROL",
        "CONTENT_DISPOSITION",
        "COPY_METADATA",
        "STORAGE_CLASS",
        "THUMBNAIL_TAGS",
        "QUALITY",
        "MAX_IMAGE_PIXELS",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def tmp(env: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The function's /tmp; tests check it is left empty."""
    work = tmp_path / "lambda-tmp"
    work.mkdir()
    env.setattr(tempfile, "tempdir", str(work))
    return work


@pytest.fixture
def s3(env: pytest.MonkeyPatch, tmp: Path):
    with mock_aws():
        app.settings.cache_clear()
        app.s3_client.cache_clear()
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=SOURCE)
        client.create_bucket(Bucket=DEST)
        yield client
        app.settings.cache_clear()
        app.s3_client.cache_clear()


def invoke(event: dict) -> dict:
    return app.handler(event, SimpleNamespace(aws_request_id="req-1", function_name="CreateThumbnail"))


def thumbnail_keys(client, bucket: str = DEST) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def log_lines(out: str) -> list[dict]:
    """The function's log lines in captured stdout, without its embedded-metric lines (test_metrics.py)."""
    return [line for line in map(json.loads, filter(None, out.splitlines())) if "_aws" not in line]
