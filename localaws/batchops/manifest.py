"""A job's manifest: the CSV Batch Operations reads, or an S3 Inventory report's ``manifest.json`` and its files.

- ``S3BatchOperations_CSV_20180820``: one object a line, its columns named by the job's ``Spec.Fields``
  (``Bucket``, ``Key``, ``VersionId``, ``Ignore``); keys URL-encoded, as the S3 user guide requires.
- ``S3InventoryReport_CSV_20161130``: the inventory's ``manifest.json``; its ``fileSchema`` names the columns of
  each gzipped CSV in ``files``.

The manifest object's ETag must be the one the job names (S3 compares them without quotes), and the role must
be allowed to read every object read here; otherwise the job fails, as on AWS.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from moto.s3.models import s3_backends

from .access import Role

CSV, INVENTORY = "S3BatchOperations_CSV_20180820", "S3InventoryReport_CSV_20161130"


@dataclass(frozen=True)
class Task:
    bucket: str
    key: str  # as in the manifest: URL-encoded
    version_id: str | None


class ManifestError(Exception):
    """The job cannot read its manifest: ``code`` and ``reason`` become its ``FailureReasons``."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def bucket_and_key(object_arn: str) -> tuple[str, str]:
    """``arn:aws:s3:::bucket/key`` -> (bucket, key)."""
    resource = object_arn.split(":", 5)[-1]
    bucket, _, key = resource.partition("/")
    if not bucket or not key:
        raise ManifestError("InvalidManifest", f"{object_arn} is not the ARN of an object")
    return bucket, key


def read_object(role: Role, bucket: str, key: str, version_id: str | None = None) -> tuple[bytes, str]:
    """The object's bytes and ETag (unquoted), read as ``role``."""
    action = "s3:GetObjectVersion" if version_id else "s3:GetObject"
    backend = s3_backends[role.account_id]["aws"]
    try:
        owner = backend.get_bucket(bucket).account_id
    except Exception:
        raise ManifestError("ManifestNotFound", f"Reading the manifest failed: NoSuchBucket {bucket}") from None
    if not role.may(action, f"arn:aws:s3:::{bucket}/{key}", owner):
        raise ManifestError("AccessDenied", "Reading the manifest is forbidden: AccessDenied")
    found = backend.get_object(bucket, key, version_id=version_id)
    if found is None:
        raise ManifestError("ManifestNotFound", f"Reading the manifest failed: NoSuchKey {key}")
    return bytes(found.value), found.etag.strip('"')


def tasks(role: Role, manifest: dict[str, Any]) -> Iterator[Task]:
    """Every task of the job's manifest, in order; raises ``ManifestError`` when it cannot be read."""
    spec, location = manifest.get("Spec", {}), manifest.get("Location", {})
    bucket, key = bucket_and_key(location.get("ObjectArn", ""))
    body, etag = read_object(role, bucket, key, location.get("ObjectVersionId"))
    expected = str(location.get("ETag") or "").strip('"')
    if expected != etag:
        raise ManifestError(
            "ManifestETagMismatch", f"The manifest's ETag is {etag}, not the {expected or 'empty'} ETag the job names"
        )
    if spec.get("Format") == CSV:
        yield from _rows(body.decode("utf-8"), list(spec.get("Fields") or ["Bucket", "Key"]))
    elif spec.get("Format") == INVENTORY:
        inventory = json.loads(body)
        fields = [name.strip() for name in inventory["fileSchema"].split(",")]
        for file in inventory.get("files", []):
            data, _ = read_object(role, inventory["destinationBucket"].split(":")[-1], file["key"])
            yield from _rows(gzip.decompress(data).decode("utf-8"), fields)
    else:
        raise ManifestError("InvalidManifest", f"Unsupported manifest format {spec.get('Format')!r}")


def _rows(text: str, fields: list[str]) -> Iterator[Task]:
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row:
            continue
        values = dict(zip(fields, row, strict=False))
        if not values.get("Bucket") or not values.get("Key"):
            raise ManifestError("InvalidManifest", f"Line {number} of the manifest has no bucket or key")
        yield Task(values["Bucket"], values["Key"], values.get("VersionId") or None)
