"""Parsing of S3 event notifications into the objects they name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str  # decoded: S3 sends keys URL-encoded, spaces as '+'
    version_id: str | None = None
    size: int | None = None
    etag: str | None = None


class MalformedRecord(ValueError):
    """A record that does not describe an S3 object."""


def parse_record(record: Mapping[str, Any]) -> S3Object:
    try:
        s3 = record["s3"]
        bucket = s3["bucket"]["name"]
        obj = s3["object"]
        key = unquote_plus(obj["key"])
    except (KeyError, TypeError) as exc:
        raise MalformedRecord(f"record has no s3.bucket.name / s3.object.key ({exc!r})") from None
    size = obj.get("size")
    return S3Object(
        bucket=bucket,
        key=key,
        version_id=obj.get("versionId") or None,
        size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        etag=obj.get("eTag") or None,
    )


def records(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The event's records; none for events such as S3's ``s3:TestEvent`` that carry no ``Records``."""
    found = event.get("Records") if isinstance(event, Mapping) else None
    return list(found) if isinstance(found, list) else []
