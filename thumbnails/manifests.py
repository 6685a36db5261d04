"""Manifests for Batch Operations, streamed: the source keys come from a listing (or an S3 Inventory report) and go
into a CSV uploaded in parts, so no key list is ever held whole in memory, whatever the bucket's size.

A manifest line is ``bucket,key`` with the key URL-encoded (UTF-8, every character but letters, digits, ``_.-~``
and ``/`` as ``%XX``), as the S3 user guide requires of Batch Operations manifests: commas, quotes, newlines and
``+`` in keys survive, and the function decodes them (``unquote_plus``) to the key itself.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote_plus

from .deployment import Deployment

PART_BYTES = 8 * 1024 * 1024  # S3's smallest part is 5 MiB (except the last)


@dataclass(frozen=True)
class Manifest:
    bucket: str
    key: str
    etag: str
    count: int

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def spec(self) -> dict[str, Any]:
        return {
            "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
            "Location": {"ObjectArn": f"arn:aws:s3:::{self.bucket}/{self.key}", "ETag": self.etag},
        }


def line(bucket: str, key: str) -> bytes:
    return f"{bucket},{quote(key, safe='/')}\n".encode()


def listed(s3: Any, bucket: str, prefix: str, owner: str | None = None) -> Iterator[str]:
    """Every key under ``prefix``, page by page."""
    extra = {"ExpectedBucketOwner": owner} if owner else {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, **extra):
        for entry in page.get("Contents", []):
            yield entry["Key"]


def inventoried(s3: Any, uri: str) -> Iterator[str]:
    """Every key of an S3 Inventory report (CSV) named by its ``manifest.json``, file by file."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    inventory = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    if inventory.get("fileFormat") != "CSV":
        raise ValueError(f"{uri} is a {inventory.get('fileFormat')} inventory; the command reads CSV inventories")
    fields = [name.strip() for name in inventory["fileSchema"].split(",")]
    data_bucket = inventory["destinationBucket"].split(":")[-1]
    for file in inventory.get("files", []):
        body = s3.get_object(Bucket=data_bucket, Key=file["key"])["Body"]
        text = io.TextIOWrapper(gzip.GzipFile(fileobj=body), encoding="utf-8", newline="")
        for row in csv.reader(text):
            values = dict(zip(fields, row, strict=False))
            if values.get("IsLatest", "true").lower() == "true" and values.get("IsDeleteMarker", "false") != "true":
                yield unquote_plus(values["Key"])  # inventories URL-encode keys (form encoding)


def sources(deployment: Deployment, s3: Any, prefix: str | None, inventory: str | None) -> Iterator[str]:
    """The keys the function watches (its prefix, its suffixes), under ``prefix`` when given, without duplicates
    of neighbouring lines (an inventory lists each version)."""
    start = deployment.source_prefix
    if prefix is not None:
        if not (prefix.startswith(start) or start.startswith(prefix)):
            raise ValueError(f"--prefix {prefix!r} is outside the function's watched prefix {start!r}")
        start = max(prefix, start, key=len)
    keys = (
        inventoried(s3, inventory)
        if inventory
        else listed(s3, deployment.source_bucket, start, deployment.source_owner)
    )
    previous = None
    for key in keys:
        if key != previous and key.startswith(start) and deployment.watches(key):
            yield key
        previous = key


def upload(
    s3: Any, bucket: str, key: str, lines: Iterable[bytes], tick: Callable[[int], None] | None = None
) -> Manifest:
    """Upload ``lines`` as one object in parts of ``PART_BYTES``; an empty manifest is not uploaded (count 0)."""
    upload_id: str | None = None
    parts: list[dict[str, Any]] = []
    buffer = io.BytesIO()
    count = 0

    def flush() -> None:
        nonlocal upload_id
        if upload_id is None:
            upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/csv")["UploadId"]
        number = len(parts) + 1
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=buffer.getvalue())
        parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        buffer.seek(0)
        buffer.truncate()

    try:
        for entry in lines:
            buffer.write(entry)
            count += 1
            if tick is not None:
                tick(count)
            if buffer.tell() >= PART_BYTES:
                flush()
        if count == 0:
            return Manifest(bucket, key, "", 0)
        flush()
        done = s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        if upload_id is not None:
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    return Manifest(bucket, key, done["ETag"].strip('"'), count)


def manifest_lines(s3: Any, bucket: str, key: str) -> Iterator[tuple[str, str]]:
    """(bucket, decoded key) of every line of a CSV manifest, streamed."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    for row in csv.reader(codecs.getreader("utf-8")(body)):
        if len(row) >= 2:
            yield row[0], unquote_plus(row[1])
