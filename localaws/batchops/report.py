"""The completion report, as the S3 user guide's "Examples: S3 Batch Operations completion reports" shows it.

``{Prefix}/job-{id}/manifest.json`` names one result CSV per status (``succeeded``, ``failed``) under
``{Prefix}/job-{id}/results/``, each with its MD5; a CSV row is the task's bucket, key (as in the manifest),
version, ``succeeded``/``failed``, the HTTP status, the result code (empty on success) and the result message.
Written as the job's role, which must be allowed ``s3:PutObject`` there.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.s3.models import s3_backends

from .access import Role
from .manifest import Task

FORMAT = "Report_CSV_20180820"
SCHEMA = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"


@dataclass(frozen=True)
class TaskResult:
    task: Task
    succeeded: bool
    http_status: int
    code: str  # "" on success; PermanentFailure, TemporaryFailure, AccessDenied, ...
    message: str


class ReportError(Exception):
    pass


def write(role: Role, job_id: str, report: dict[str, Any], results: list[TaskResult]) -> str | None:
    """Write the report the job asked for; returns the key of its manifest.json (None: no report asked)."""
    if not report.get("Enabled"):
        return None
    bucket = str(report["Bucket"]).split(":")[-1]
    prefix = str(report.get("Prefix") or "").rstrip("/")
    base = f"{prefix}/job-{job_id}" if prefix else f"job-{job_id}"
    failed_only = report.get("ReportScope") == "FailedTasksOnly"
    backend = s3_backends[role.account_id]["aws"]
    owner = backend.get_bucket(bucket).account_id
    entries = []
    for status in ("succeeded", "failed"):
        rows = [r for r in results if r.succeeded == (status == "succeeded")]
        if not rows or (failed_only and status == "succeeded"):
            continue
        body = _csv(rows).encode()
        key = f"{base}/results/{hashlib.sha1(job_id.encode() + status.encode()).hexdigest()}.csv"
        _put(role, backend, owner, bucket, key, body)
        entries.append(
            {"TaskExecutionStatus": status, "Bucket": bucket, "MD5Checksum": hashlib.md5(body).hexdigest(), "Key": key}
        )
    summary = {
        "Format": FORMAT,
        "ReportCreationDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "Results": entries,
        "ReportSchema": SCHEMA,
    }
    _put(role, backend, owner, bucket, f"{base}/manifest.json", json.dumps(summary, indent=4).encode())
    return f"{base}/manifest.json"


def _put(role: Role, backend: Any, owner: str, bucket: str, key: str, body: bytes) -> None:
    if not role.may("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}", owner):
        raise ReportError("Writing the report is forbidden: AccessDenied")
    backend.put_object(bucket, key, body)


def _csv(rows: list[TaskResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for r in rows:
        status = "succeeded" if r.succeeded else "failed"
        writer.writerow([r.task.bucket, r.task.key, r.task.version_id or "", status, r.http_status, r.code, r.message])
    return out.getvalue()
