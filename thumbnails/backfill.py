"""``thumbnails backfill``: one Batch Operations job over every source object the function watches."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from . import jobs, manifests
from .clients import Clients
from .deployment import Deployment
from .output import Progress, emit

LISTED_SHOWN = 50  # failed keys in the text summary; --json has them all


def manifest_key(prefix: str, deployment: Deployment, command: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{prefix}manifests/{deployment.function_name}/{stamp}-{command}.csv"


def run(args: argparse.Namespace, clients: Clients, deployment: Deployment, progress: Progress) -> int:
    s3, control = clients("s3"), clients("s3control")
    bucket, prefix = deployment.batch_location()
    key = manifest_key(prefix, deployment, "backfill")
    where = f"s3://{deployment.source_bucket}/{args.prefix or deployment.source_prefix}"
    if args.dry_run:
        progress.stage(f"counting the keys under {where}")
        count = sum(1 for _ in manifests.sources(deployment, s3, args.prefix, args.inventory))
        summary = {
            "command": "backfill",
            "dry_run": True,
            "function": deployment.function_name,
            "sources": where,
            "suffixes": list(deployment.source_suffixes),
            "inventory": args.inventory,
            "sizes": list(deployment.sizes),
            "objects": count,
            "manifest": f"s3://{bucket}/{key}",
            "role": deployment.role_arn,
        }
        text = (
            f"backfill of {deployment.function_name} (dry run): would make sizes {', '.join(deployment.sizes)} of "
            f"{count} object(s) under {where}\n  manifest: s3://{bucket}/{key}\n  role: {deployment.role_arn}"
        )
        emit(summary, args.json, text)
        return 0
    if args.resume:
        progress.stage(f"finding the tasks job {args.resume} had not done")
        lines = jobs.resume_lines(control, s3, deployment, args.resume)
    else:
        progress.stage(f"listing {args.inventory or where} into the manifest")
        lines = (
            manifests.line(deployment.source_bucket, k)
            for k in manifests.sources(deployment, s3, args.prefix, args.inventory)
        )
    manifest = manifests.upload(s3, bucket, key, lines, tick=lambda n: progress.count(n, None, unit="key"))
    progress.close()
    if manifest.count == 0:
        emit(
            {"command": "backfill", "function": deployment.function_name, "objects": 0, "job": None},
            args.json,
            f"backfill of {deployment.function_name}: nothing to do (no object under {where})",
        )
        return 0
    progress.stage(f"manifest {manifest.uri}: {manifest.count} object(s)")
    job_id = jobs.create(control, deployment, manifest, "backfill")
    progress.stage(f"job {job_id} created")
    outcome = jobs.follow(control, s3, deployment, job_id, progress, args.poll_seconds)
    summary = {
        "command": "backfill",
        "function": deployment.function_name,
        "manifest": manifest.uri,
        **outcome.as_dict(),
    }
    emit(summary, args.json, describe("backfill", deployment, summary))
    return 0 if outcome.status == "Complete" and outcome.failed == 0 else 1


def describe(command: str, deployment: Deployment, summary: dict[str, Any]) -> str:
    tasks = summary["tasks"]
    rate = f" ({summary['tasks_per_second']} a second)" if summary.get("tasks_per_second") else ""
    lines = [
        f"{command} of {deployment.function_name}: job {summary['job_id']} {summary['status']}",
        f"  {tasks['total']} task(s): {tasks['succeeded']} succeeded, {tasks['failed']} failed, "
        f"in {summary['seconds']} s{rate}",
        f"  manifest: {summary['manifest']}",
        f"  report:   {summary['report']}",
    ]
    lines += [f"  job failed: {r.get('FailureCode')}: {r.get('FailureReason')}" for r in summary["failure_reasons"]]
    failed = summary["failed"]
    if failed:
        lines.append("failed keys:")
        lines += [f"  {f['key']}  {f['code']}: {f['reason']}" for f in failed[:LISTED_SHOWN]]
        if len(failed) > LISTED_SHOWN:
            lines.append(f"  ... and {len(failed) - LISTED_SHOWN} more (--json lists them all)")
    return "\n".join(lines)
