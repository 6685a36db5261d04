"""The S3 glue: download a source object, upload a thumbnail, and tell transient failures from final ones.

Every function takes its S3 client as an argument, so tests pass a moto-backed one.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ReadTimeoutError,
    ResponseStreamingError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from ..errors import PermanentFailure, TransientFailure

if TYPE_CHECKING:  # types only (mypy-boto3-s3, a development dependency): never imported at run time
    from mypy_boto3_s3 import S3Client

# Error codes S3 (or the network) answers with when trying again later can succeed.
TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "500",
        "502",
        "503",
        "504",
    }
)
GONE_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "NotFound", "404"})
_CHUNK = 1024 * 1024
HEADER_BYTES = 64 * 1024  # read first and inspected (the picture's size) before the rest is downloaded
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_QUOTED_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')  # what a quoted-string file name cannot hold as it is
MAX_USER_METADATA = 2048  # S3's limit: the user metadata's names and values, in UTF-8 bytes


@dataclass(frozen=True)
class Version:
    """What an object is now. Thumbnails record it; the same ETag is the same picture."""

    etag: str
    version_id: str | None = field(default=None, compare=False)  # None in an unversioned bucket

    def metadata(self) -> dict[str, str]:
        return {"source-etag": self.etag, **({"source-version-id": self.version_id} if self.version_id else {})}


@dataclass(frozen=True)
class Download:
    path: Path
    version: Version
    size: int
    metadata: dict[str, str] = field(default_factory=dict)  # the source's own user metadata


@dataclass(frozen=True)
class Headers:
    """What every thumbnail is written with besides its bytes, type and metadata."""

    cache_control: str = ""  # "": none
    content_disposition: str = "inline"  # inline or attachment, with the file name; none: no header
    storage_class: str = "STANDARD"
    tags: tuple[tuple[str, str], ...] = ()

    def arguments(self, file_name: str) -> dict[str, Any]:
        """PutObject's arguments for a thumbnail saved as ``file_name``."""
        arguments: dict[str, Any] = {"StorageClass": self.storage_class}
        if self.cache_control:
            arguments["CacheControl"] = self.cache_control
        if self.content_disposition != "none":
            arguments["ContentDisposition"] = content_disposition(self.content_disposition, file_name)
        if self.tags:
            arguments["Tagging"] = urlencode(self.tags, quote_via=quote)  # spaces as %20, as S3 documents
        return arguments


def content_disposition(kind: str, file_name: str) -> str:
    """``inline; filename="cat.webp"`` (RFC 6266): the name as a quoted string, with an ASCII stand-in for what it
    cannot hold as it is, and then, when the name is not plain ASCII, in full as ``filename*`` (RFC 8187)."""
    fallback = _QUOTED_UNSAFE.sub("_", file_name)
    header = f'{kind}; filename="{fallback}"'
    if fallback != file_name:
        header += f"; filename*=UTF-8''{quote(file_name, safe='')}"
    return header


def expect_owners(client: S3Client, destination_bucket: str, destination_owner: str, source_owner: str) -> None:
    """Make every S3 call of ``client`` pass ``ExpectedBucketOwner``: the destination bucket's owner for it, the
    source owner for any other bucket. S3 then refuses (403) a bucket that another account owns -- one whose name
    was freed and registered again -- instead of reading sources from it or writing thumbnails into it. An empty
    owner checks nothing (local development)."""

    def add_owner(params: dict[str, Any], **_: Any) -> None:
        owner = destination_owner if params.get("Bucket") == destination_bucket else source_owner
        if owner and "Bucket" in params:
            params.setdefault("ExpectedBucketOwner", owner)

    client.meta.events.register("provide-client-params.s3.*", add_owner)


def temp_path(tmp_dir: Path, key: str) -> Path:
    """``{tmp}/{uuid4}{name}``: only the key's last segment, reduced to safe characters, never a path."""
    name = _SAFE_NAME.sub("_", PurePosixPath(key).name)[-64:]
    return tmp_dir / f"{uuid.uuid4()}{name}"


def _code(exc: ClientError) -> str:
    error = exc.response.get("Error", {}).get("Code", "")
    return str(error or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))


def _is_gone(exc: Exception) -> bool:
    return isinstance(exc, ClientError) and _code(exc) in GONE_CODES


def _is_denied(exc: Exception) -> bool:
    return isinstance(exc, ClientError) and _code(exc) in ("AccessDenied", "403")


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
    """The version a GetObject answer or a listing entry describes (a listing carries no version id)."""
    return Version(str(response.get("ETag", "")).strip('"'), response.get("VersionId") or None)


def current_version(client: S3Client, bucket: str, key: str) -> Version | None:
    """The object's current version, or None when it does not exist (deleted, or a delete marker on top).

    A listing, not a HEAD: without s3:ListBucket S3 answers a HEAD of a missing key with 403, and ListBucket can be
    granted for the watched prefix only (``s3:prefix``). S3 lists are strongly consistent.
    """
    try:
        listed = client.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1).get("Contents", [])
    except Exception as exc:  # classified, not swallowed
        raise classify(exc, "look up") from exc
    if listed and listed[0]["Key"] == key:  # the key itself sorts before every longer key it prefixes
        return _version(listed[0])
    return None


def download(
    client: S3Client,
    bucket: str,
    key: str,
    tmp_dir: Path,
    max_bytes: int = 0,
    inspect: Callable[[bytes], None] | None = None,
) -> Download | None:
    """Stream the object's *current* version to a fresh file in ``tmp_dir``; None when it no longer exists.

    Never the version an event named: events arrive late and out of order, and only the current version's
    thumbnails are right. Refused before the body is read if it is larger than ``max_bytes`` (0: no limit) or
    cannot fit in ``tmp_dir``; ``inspect`` sees its first HEADER_BYTES before the rest is read, and refuses it by
    raising (the stream is then closed, nothing written).
    """
    try:
        response = client.get_object(Bucket=bucket, Key=key)
    except Exception as exc:  # classified, not swallowed
        if _is_gone(exc) or (_is_denied(exc) and current_version(client, bucket, key) is None):
            return None  # a missing key is AccessDenied to a role without s3:ListBucket
        raise classify(exc, "download") from exc
    size = int(response.get("ContentLength") or 0)
    free = shutil.disk_usage(tmp_dir).free
    if max_bytes and size > max_bytes:
        response["Body"].close()
        raise PermanentFailure(f"object is {size} bytes, more than MAX_OBJECT_BYTES={max_bytes}; not downloaded")
    if size > free:
        response["Body"].close()
        raise PermanentFailure(
            f"object is {size} bytes but {tmp_dir} has {free} bytes free; raise ephemeral_storage_size"
        )
    try:
        header = response["Body"].read(HEADER_BYTES)
    except Exception as exc:  # classified, not swallowed
        raise classify(exc, "download") from exc
    if inspect is not None:
        try:
            inspect(header)
        except BaseException:
            response["Body"].close()
            raise
    path = temp_path(tmp_dir, key)
    try:
        with path.open("wb") as out:
            out.write(header)
            for chunk in response["Body"].iter_chunks(_CHUNK):
                out.write(chunk)
    except Exception as exc:  # classified, not swallowed
        path.unlink(missing_ok=True)
        raise classify(exc, "download") from exc
    return Download(path, _version(response), size, dict(response.get("Metadata") or {}))


def source_metadata(bucket: str, key: str, named: bool = True) -> dict[str, str]:
    """The metadata that ties a thumbnail to its source, so a removal deletes only its own thumbnails.

    ``named``: the bucket and key (ASCII: S3 headers cannot carry the key as it is). Otherwise, for thumbnails
    served publicly, only a digest of them, which ties the thumbnail to its source without saying what it is.
    """
    if not named:
        return {"source-digest": hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:32]}
    return {"source-bucket": bucket, "source-key": quote(key, safe="/")}


def copied_metadata(source: Mapping[str, str], names: tuple[str, ...], own: Mapping[str, str]) -> dict[str, str]:
    """The source's user metadata named in ``names`` that it has, in that order, as far as S3's 2 KB limit leaves
    room beside the function's ``own``; a name that would pass the limit is left out (the caller says so)."""
    used = sum(len(k.encode()) + len(v.encode()) for k, v in own.items())
    copied = {}
    for name in names:
        if name in source and name not in own:
            cost = len(name.encode()) + len(source[name].encode())
            if used + cost <= MAX_USER_METADATA:
                copied[name] = source[name]
                used += cost
    return copied


def upload(
    client: S3Client,
    bucket: str,
    key: str,
    data: bytes,
    content_type: str,
    metadata: dict[str, str],
    headers: Headers | None = None,
    file_name: str = "",
) -> None:
    """Write one thumbnail with its Content-Type, the metadata naming its source and its version, and ``headers``
    (its Cache-Control, Content-Disposition for ``file_name``, storage class and tags)."""
    extra = (headers or Headers()).arguments(file_name or key.rsplit("/", 1)[-1])
    try:
        client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type, Metadata=metadata, **extra)
    except Exception as exc:  # classified, not swallowed
        raise classify(exc, "upload") from exc


def remove(client: S3Client, bucket: str, candidates: list[str], *sources: dict[str, str]) -> list[str]:
    """Delete those of ``candidates`` that are thumbnails of ``source`` (their metadata names it); return them.

    The candidates are found by listing (one prefix per size), so a missing one costs nothing and needs no
    s3:ListBucket beyond the thumbnails' prefix. One whose metadata names another source, or none, is not ours and
    is left alone: a thumbnail is never deleted because its key merely looks like one of ours.
    """
    ours = find_ours(client, bucket, candidates, *sources)
    delete(client, bucket, ours)
    return ours


def find_ours(
    client: S3Client, bucket: str, candidates: list[str], *sources: dict[str, str], unless_etag: str | None = None
) -> list[str]:
    """Those of ``candidates`` that exist and are thumbnails of one of ``sources``; with ``unless_etag``, only those
    made from another version of it (their source-etag differs: a digest-only thumbnail, which records none, is
    counted as another version's)."""
    wanted = set(candidates)
    found = []
    try:
        for prefix in sorted({c for c in candidates if not any(c != o and c.startswith(o) for o in candidates)}):
            last = max(c for c in candidates if c.startswith(prefix))
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                keys = [o["Key"] for o in page.get("Contents", [])]
                found += [k for k in keys if k in wanted]
                if keys and keys[-1] >= last:
                    break
        ours = []
        for key in found:
            metadata = client.head_object(Bucket=bucket, Key=key).get("Metadata", {})
            if _names(metadata, sources) and (unless_etag is None or metadata.get("source-etag") != unless_etag):
                ours.append(key)
    except Exception as exc:  # classified, not swallowed
        raise classify(exc, "remove") from exc
    return ours


def delete(client: S3Client, bucket: str, keys: list[str]) -> None:
    """Delete ``keys`` (thumbnails ``find_ours`` found) in one request."""
    if not keys:
        return
    try:
        response = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
    except Exception as exc:  # classified, not swallowed
        raise classify(exc, "remove") from exc
    if errors := response.get("Errors"):
        first = errors[0]
        reason = f"remove: {first.get('Code')} on {len(errors)} thumbnail(s): {first.get('Message')}"
        if first.get("Code") in TRANSIENT_CODES:
            raise TransientFailure(reason + " (will be retried)")
        raise PermanentFailure(reason)


def _names(metadata: Mapping[str, str], sources: tuple[dict[str, str], ...]) -> bool:
    """The metadata ties the thumbnail to one of ``sources`` (its name, or its digest)."""
    return any(all(metadata.get(name) == value for name, value in source.items()) for source in sources)
