"""Completion reports of Batch Operations jobs (``Report_CSV_20180820``): the top ``manifest.json`` names one CSV
per task status; a row is bucket, key (URL-encoded, as in the manifest), version, ``succeeded``/``failed``, the
HTTP status, the result code and the result message (the function's ``resultString``)."""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True)
class Row:
    bucket: str
    key: str  # decoded
    succeeded: bool
    code: str
    message: str


def report_key(prefix: str, job_id: str) -> str:
    """Where Batch Operations writes a job's report manifest, for the report ``Prefix`` the command gives."""
    return f"{prefix.rstrip('/')}/job-{job_id}/manifest.json"


def rows(s3: Any, bucket: str, key: str, status: str | None = None) -> Iterator[Row]:
    """Every row of the report whose manifest.json is ``bucket``/``key`` (only ``status``'s when given), streamed;
    nothing when the job wrote no report."""
    try:
        top = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return
    for result in top.get("Results", []):
        if status and result.get("TaskExecutionStatus") != status:
            continue
        body = s3.get_object(Bucket=result["Bucket"], Key=result["Key"])["Body"]
        for row in csv.reader(codecs.getreader("utf-8")(body)):
            if len(row) >= 7:
                yield Row(row[0], unquote_plus(row[1]), row[3] == "succeeded", row[5], row[6])


def fingerprint(bucket: str, key: str) -> bytes:
    """Eight bytes standing for one object: what a resume keeps of each task done (not the key itself)."""
    return hashlib.blake2b(f"{bucket}/{key}".encode(), digest_size=8).digest()
