"""The S3 glue: download a source object, upload a thumbnail, and tell transient failures from final ones.

Every function takes its S3 client as an argument, so tests pass a moto-backed one.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError as BotoConnectionError,
    ReadTimeoutError,
    ResponseStreamingError,
)


# Error codes S3 (or the network) answers with when trying again later can succeed.
TRANSIENT_CODES = frozenset({
    "InternalError", "RequestTimeout", "RequestTimeoutException", "ServiceUnavailable", "SlowDown",
    "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
    "500", "502", "503", "504",
})
GONE_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "NotFound", "404"})
_CHUNK = 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class TransientFailure(Exception):
    """Trying again later can succeed (throttling, 5xx, timeouts)."""


class PermanentFailure(Exception):
    """Trying again cannot help (object gone, access denied, too large for /tmp)."""


@dataclass(frozen=True)
class Version:
    """What an object is now: thumbnails made from it record both, so a later check can tell it changed."""

    etag: str
    version_id: str | None  # None in an unversioned bucket

    def metadata(self) -> dict[str, str]:
        return {"source-etag": self.etag, **({"source-version-id": self.version_id} if self.version_id else {})}


@dataclass(frozen=True)
class Download:
    path: Path
    version: Version
    size: int


def temp_path(tmp_dir: Path, key: str) -> Path:
    """``{tmp}/{uuid4}{name}``: only the key's last segment, reduced to safe characters, never a path."""
    name = _SAFE_NAME.sub("_", PurePosixPath(key).name)[-64:]
    return tmp_dir / f"{uuid.uuid4()}{name}"


def _code(exc: ClientError) -> str:
    error = exc.response.get("Error", {}).get("Code", "")
    return str(error or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))


def _is_gone(exc: Exception) -> bool:
    return isinstance(exc, ClientError) and _code(exc) in GONE_CODES


def classify(exc: Exception, action: str) -> Exception:
    """Turn a botocore error into a TransientFailure or a PermanentFailure with a readable reason."""
    if isinstance(exc, ClientError):
        code = _code(exc)
        status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        if code in TRANSIENT_CODES or status in TRANSIENT_CODES:
            return TransientFailure(f"{action}: {code} (will be retried)")
        if code in GONE_CODES:
            return PermanentFailure(f"{action}: object is gone ({code})")
        return PermanentFailure(f"{action}: {code}: {exc}")
    if isinstance(exc, ReadTimeoutError | BotoConnectionError | ResponseStreamingError | BotoCoreError | OSError):
        return TransientFailure(f"{action}: {type(exc).__name__}: {exc}")
    return exc


def _version(response: Mapping[str, Any]) -> Version:
    return Version(str(response.get("ETag", "")).strip('"'), response.get("VersionId") or None)


def current_version(client: Any, bucket: str, key: str) -> Version | None:
    """The object's current version, or None when it does not exist (deleted, or a delete marker on top)."""
    try:
        return _version(client.head_object(Bucket=bucket, Key=key))
    except Exception as exc:  # noqa: BLE001 - classified, not swallowed
        if _is_gone(exc):
            return None
        raise classify(exc, "head") from exc


def download(client: Any, bucket: str, key: str, tmp_dir: Path) -> Download | None:
    """Stream the object's *current* version to a fresh file in ``tmp_dir``; None when it no longer exists.

    Never the version an event named: events arrive late and out of order, and only the current version's
    thumbnails are right. Refused before the body is read if it cannot fit in ``tmp_dir``.
    """
    try:
        response = client.get_object(Bucket=bucket, Key=key)
    except Exception as exc:  # noqa: BLE001 - classified, not swallowed
        if _is_gone(exc):
            return None
        raise classify(exc, "download") from exc
    size = int(response.get("ContentLength") or 0)
    free = shutil.disk_usage(tmp_dir).free
    if size > free:
        response["Body"].close()
        raise PermanentFailure(
            f"object is {size} bytes but {tmp_dir} has {free} bytes free; raise ephemeral_storage_size"
        )
    path = temp_path(tmp_dir, key)
    try:
        with path.open("wb") as out:
            for chunk in response["Body"].iter_chunks(_CHUNK):
                out.write(chunk)
    except Exception as exc:  # noqa: BLE001
        path.unlink(missing_ok=True)
        raise classify(exc, "download") from exc
    return Download(path, _version(response), size)


def source_metadata(bucket: str, key: str) -> dict[str, str]:
    """The metadata that names a thumbnail's source (ASCII: S3 headers cannot carry the key as it is)."""
    return {"source-bucket": bucket, "source-key": quote(key, safe="/")}


def upload(client: Any, bucket: str, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> None:
    """Write one thumbnail with its Content-Type and the metadata naming its source and its version."""
    try:
        client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type, Metadata=metadata)
    except Exception as exc:  # noqa: BLE001
        raise classify(exc, "upload") from exc


def remove(client: Any, bucket: str, candidates: list[str], source: dict[str, str]) -> list[str]:
    """Delete those of ``candidates`` that are thumbnails of ``source`` (their metadata names it); return them.

    A candidate that is missing is fine (already removed); one whose metadata names another source, or none, is
    not ours and is left alone -- so a thumbnail is never deleted because its key merely looks like one of ours.
    """
    ours = []
    for key in candidates:
        try:
            head = client.head_object(Bucket=bucket, Key=key)
        except Exception as exc:  # noqa: BLE001
            if _is_gone(exc):
                continue
            raise classify(exc, "remove") from exc
        metadata = head.get("Metadata", {})
        if all(metadata.get(name) == value for name, value in source.items()):
            ours.append(key)
    if ours:
        try:
            response = client.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": k} for k in ours], "Quiet": True}
            )
        except Exception as exc:  # noqa: BLE001
            raise classify(exc, "remove") from exc
        if errors := response.get("Errors"):
            first = errors[0]
            reason = f"remove: {first.get('Code')} on {len(errors)} thumbnail(s): {first.get('Message')}"
            if first.get("Code") in TRANSIENT_CODES:
                raise TransientFailure(reason + " (will be retried)")
            raise PermanentFailure(reason)
    return ours
