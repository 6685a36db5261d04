"""The S3 glue: download a source object, upload a thumbnail, and tell transient failures from final ones.

Every function takes its S3 client as an argument, so tests pass a moto-backed one.
"""

from __future__ import annotations

import re
import shutil
import uuid
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

from .events import S3Object

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
class Download:
    path: Path
    etag: str
    size: int


def temp_path(tmp_dir: Path, key: str) -> Path:
    """``{tmp}/{uuid4}{name}``: only the key's last segment, reduced to safe characters, never a path."""
    name = _SAFE_NAME.sub("_", PurePosixPath(key).name)[-64:]
    return tmp_dir / f"{uuid.uuid4()}{name}"


def classify(exc: Exception, action: str) -> Exception:
    """Turn a botocore error into a TransientFailure or a PermanentFailure with a readable reason."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        if code in TRANSIENT_CODES or status in TRANSIENT_CODES:
            return TransientFailure(f"{action}: {code or status} (will be retried)")
        if code in GONE_CODES or status == "404":
            return PermanentFailure(f"{action}: object is gone ({code or status})")
        return PermanentFailure(f"{action}: {code or status}: {exc}")
    if isinstance(exc, ReadTimeoutError | BotoConnectionError | ResponseStreamingError | BotoCoreError | OSError):
        return TransientFailure(f"{action}: {type(exc).__name__}: {exc}")
    return exc


def download(client: Any, obj: S3Object, tmp_dir: Path) -> Download:
    """Stream the object to a fresh file in ``tmp_dir``; refuse it first if it cannot fit there."""
    params: dict[str, str] = {"Bucket": obj.bucket, "Key": obj.key}
    if obj.version_id:
        params["VersionId"] = obj.version_id
    try:
        response = client.get_object(**params)
    except Exception as exc:  # noqa: BLE001 - classified, not swallowed
        raise classify(exc, "download") from exc
    size = int(response.get("ContentLength") or 0)
    free = shutil.disk_usage(tmp_dir).free
    if size > free:
        response["Body"].close()
        raise PermanentFailure(
            f"object is {size} bytes but {tmp_dir} has {free} bytes free; raise ephemeral_storage_size"
        )
    path = temp_path(tmp_dir, obj.key)
    try:
        with path.open("wb") as out:
            for chunk in response["Body"].iter_chunks(_CHUNK):
                out.write(chunk)
    except Exception as exc:  # noqa: BLE001
        path.unlink(missing_ok=True)
        raise classify(exc, "download") from exc
    return Download(path, str(response.get("ETag", "")).strip('"'), size)


def upload(
    client: Any, bucket: str, key: str, data: bytes, content_type: str, source: S3Object, etag: str
) -> None:
    """Write one thumbnail with its Content-Type and metadata naming its source (ASCII: the key is quoted)."""
    try:
        client.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            Metadata={
                "source-bucket": source.bucket,
                "source-key": quote(source.key, safe="/"),
                "source-etag": etag,
            },
        )
    except Exception as exc:  # noqa: BLE001
        raise classify(exc, "upload") from exc
