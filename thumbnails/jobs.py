"""Batch Operations jobs of the command: created for the function with its role, followed to their end, summed up
with the failed keys from their completion report.

A job's ``Description`` is ``thumbnails <command> <function>``, so ``status`` finds the function's jobs again; its
report (every task) goes under the role's report prefix, so a cancelled job can be resumed with the keys it had not
done (``resume_lines``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import manifests, reports
from .deployment import Deployment
from .manifests import Manifest
from .output import Progress

TERMINAL = ("Complete", "Cancelled", "Failed")


def description(command: str, function_name: str) -> str:
    return f"thumbnails {command} {function_name}"


def create(control: Any, deployment: Deployment, manifest: Manifest, command: str) -> str:
    bucket, prefix = deployment.batch_location()
    return str(
        control.create_job(
            AccountId=deployment.account_id,
            ConfirmationRequired=False,
            Operation={"LambdaInvoke": {"FunctionArn": deployment.function_arn, "InvocationSchemaVersion": "2.0"}},
            Report={
                "Bucket": f"arn:aws:s3:::{bucket}",
                "Prefix": f"{prefix}reports",
                "Format": "Report_CSV_20180820",
                "Enabled": True,
                "ReportScope": "AllTasks",
            },
            Manifest=manifest.spec(),
            Priority=10,
            RoleArn=deployment.role_arn,
            ClientRequestToken=str(uuid.uuid4()),
            Description=description(command, deployment.function_name),
        )["JobId"]
    )


@dataclass
class Outcome:
    job_id: str
    status: str
    total: int
    succeeded: int
    failed: int
    seconds: float
    failure_reasons: list[dict[str, str]]
    report: str | None
    failures: list[dict[str, str]] = field(default_factory=list)  # key, code, reason

    def as_dict(self) -> dict[str, Any]:
        rate = (self.succeeded + self.failed) / self.seconds if self.seconds > 0 else None
        return {
            "job_id": self.job_id,
            "status": self.status,
            "tasks": {"total": self.total, "succeeded": self.succeeded, "failed": self.failed},
            "seconds": round(self.seconds, 1),
            "tasks_per_second": round(rate, 1) if rate else None,
            "report": self.report,
            "failure_reasons": self.failure_reasons,
            "failed": self.failures,
        }


def follow(control: Any, s3: Any, deployment: Deployment, job_id: str, progress: Progress, poll: float) -> Outcome:
    """Poll the job until it ends, showing its progress; then read its failed tasks from the report."""
    started = time.monotonic()
    while True:
        job = control.describe_job(AccountId=deployment.account_id, JobId=job_id)["Job"]
        summary = job.get("ProgressSummary") or {}
        total = summary.get("TotalNumberOfTasks") or 0
        done = (summary.get("NumberOfTasksSucceeded") or 0) + (summary.get("NumberOfTasksFailed") or 0)
        if job["Status"] == "Active":
            progress.count(done, total or None, summary.get("NumberOfTasksFailed") or 0)
        progress.stage(
            f"job {job_id} {job['Status']} ({done}/{total} tasks)"
            if job["Status"] == "Active"
            else f"job {job_id} {job['Status']}"
        )
        if job["Status"] in TERMINAL:
            break
        time.sleep(poll)
    progress.close()
    bucket, prefix = deployment.batch_location()
    report = reports.report_key(f"{prefix}reports", job_id)
    failures = [
        {"key": row.key, "code": row.code, "reason": row.message}
        for row in reports.rows(s3, bucket, report, status="failed")
    ]
    return Outcome(
        job_id=job_id,
        status=job["Status"],
        total=total,
        succeeded=summary.get("NumberOfTasksSucceeded") or 0,
        failed=summary.get("NumberOfTasksFailed") or 0,
        seconds=float((summary.get("Timers") or {}).get("ElapsedTimeInActiveSeconds") or time.monotonic() - started),
        failure_reasons=job.get("FailureReasons") or [],
        report=f"s3://{bucket}/{report}",
        failures=failures,
    )


def resume_lines(control: Any, s3: Any, deployment: Deployment, job_id: str) -> Iterator[bytes]:
    """The manifest lines of ``job_id`` that its report does not show as done. Only an 8-byte fingerprint of each
    task done is kept in memory; the old manifest is streamed."""
    job = control.describe_job(AccountId=deployment.account_id, JobId=job_id)["Job"]
    if job["Status"] not in TERMINAL:
        raise ValueError(f"job {job_id} is {job['Status']}: cancel it first (or let it finish) to resume it")
    bucket, prefix = deployment.batch_location()
    done = {
        reports.fingerprint(row.bucket, row.key)
        for row in reports.rows(s3, bucket, reports.report_key(f"{prefix}reports", job_id))
    }
    location = job["Manifest"]["Location"]["ObjectArn"].split(":::", 1)[1]
    old_bucket, _, old_key = location.partition("/")
    for source_bucket, key in manifests.manifest_lines(s3, old_bucket, old_key):
        if reports.fingerprint(source_bucket, key) not in done:
            yield manifests.line(source_bucket, key)
