"""``thumbnails status``: what the function is configured to do, what the buckets hold (sources; thumbnails per
size, retired sizes included), and the function's last Batch Operations jobs with their results."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from . import jobs, manifests
from .clients import Clients
from .deployment import SIZE, Deployment
from .output import Progress, emit

LAST_JOBS = 5


def run(args: argparse.Namespace, clients: Clients, deployment: Deployment, progress: Progress) -> int:
    s3 = clients("s3")
    progress.stage("counting sources")
    sources = sum(1 for _ in manifests.sources(deployment, s3, None, None))
    progress.stage("counting thumbnails")
    folders = s3.get_paginator("list_objects_v2").paginate(
        Bucket=deployment.destination_bucket, Prefix=deployment.destination_prefix, Delimiter="/"
    )
    sizes = [
        p["Prefix"][len(deployment.destination_prefix) : -1] for page in folders for p in page.get("CommonPrefixes", [])
    ]
    thumbnails = {
        size: sum(
            1 for _ in manifests.listed(s3, deployment.destination_bucket, f"{deployment.destination_prefix}{size}/")
        )
        for size in sorted(set(sizes) | set(deployment.sizes), key=lambda s: (s not in deployment.sizes, s))
        if SIZE.match(size)
    }
    last: list[dict[str, Any]] = []
    if deployment.role_arn:
        control = clients("s3control")
        mine = (jobs.description(c, deployment.function_name) for c in ("backfill", "reconcile"))
        wanted = set(mine)
        for job in _every_job(control, deployment.account_id):
            if job.get("Description") in wanted:
                p = job.get("ProgressSummary") or {}
                last.append(
                    {
                        "job_id": job["JobId"],
                        "command": job["Description"].split()[1],
                        "status": job["Status"],
                        "created": job.get("CreationTime"),
                        "tasks": {
                            "total": p.get("TotalNumberOfTasks", 0),
                            "succeeded": p.get("NumberOfTasksSucceeded", 0),
                            "failed": p.get("NumberOfTasksFailed", 0),
                        },
                    }
                )
        last = sorted(last, key=lambda j: str(j["created"]), reverse=True)[:LAST_JOBS]
    summary = {
        "command": "status",
        "function": deployment.function_name,
        "sources": {"location": f"s3://{deployment.source_bucket}/{deployment.source_prefix}",
                    "suffixes": list(deployment.source_suffixes), "objects": sources},
        "thumbnails": {"location": f"s3://{deployment.destination_bucket}/{deployment.destination_prefix}",
                       "sizes": list(deployment.sizes), "format": deployment.output_format,
                       "formats": list(deployment.output_formats), "per_size": thumbnails},
        "delete_thumbnails": deployment.delete_thumbnails,
        "catalogue": deployment.catalogue,
        "batch_operations_role": deployment.role_arn,
        "jobs": last,
    }  # fmt: skip
    source_location = f"s3://{deployment.source_bucket}/{deployment.source_prefix}"
    thumbnail_location = f"s3://{deployment.destination_bucket}/{deployment.destination_prefix}"
    suffixes = ", ".join(deployment.source_suffixes) or "any suffix"
    role = deployment.role_arn or "none (batch_operations is off)"
    text = [
        f"{deployment.function_name}: {source_location} ({suffixes}) -> {thumbnail_location}, "
        f"sizes {', '.join(deployment.sizes)}, format "
        f"{', '.join(deployment.output_formats) or deployment.output_format}",
        f"  deletions followed: {'yes' if deployment.delete_thumbnails else 'no'}; "
        f"catalogue: {deployment.catalogue or 'off'}; Batch Operations role: {role}",
        f"  sources: {sources}",
    ]
    for size, count in thumbnails.items():
        note = "" if size in deployment.sizes else "  (no longer configured: thumbnails reconcile removes them)"
        text.append(f"  thumbnails {size}: {count}{note}")
    for job in last:
        t = job["tasks"]
        done = f"{t['succeeded']}/{t['total']} succeeded, {t['failed']} failed"
        text.append(f"  job {job['job_id']} {job['command']} {job['status']}: {done}")
    emit(summary, args.json, "\n".join(text))
    return 0


def _every_job(control: Any, account_id: str) -> Iterator[dict[str, Any]]:
    """ListJobs page by page (botocore has no paginator for it)."""
    token: dict[str, str] = {}
    while True:
        page = control.list_jobs(AccountId=account_id, **token)
        yield from page.get("Jobs", [])
        if not page.get("NextToken"):
            return
        token = {"NextToken": page["NextToken"]}
