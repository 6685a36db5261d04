"""``thumbnails reconcile``: bring the thumbnails (and the catalogue) in line with the configuration.

From two listings -- the watched sources, and the destination prefix one size folder at a time -- it finds:

- sources missing a configured size (or, with output_formats, a configured format of a size): made again by a
  Batch Operations job (the function renders every size in every format);
- thumbnails of sizes or formats no longer configured (a preset's variant, made on request, is configured while
  its size is a preset and its format enabled), and thumbnails whose source is gone (deleted before
  deletions were followed, or while the trigger was off): removed, but only when their metadata proves this module
  wrote them for that source (``source-bucket``/``source-key``, or ``source-digest``); any other object stays, and
  is listed;
- with the catalogue on, every source, and every source found gone, goes into the job too: only the function
  reaches the database, and processing a source rewrites its rows (a gone one's rows are removed).

The source keys are held in memory as a set while the destination is listed (about 100 bytes a key); the manifest
itself is streamed like backfill's.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from . import jobs, manifests
from .backfill import LISTED_SHOWN, describe, manifest_key
from .clients import Clients
from .deployment import SIZE, Deployment
from .output import Progress, emit

# A thumbnail's key is its source's, or its source's with the output format's extension appended (always, with
# output_formats: thumbnailer/keys.py).
EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "avif": ".avif"}
THREADS = 8


@dataclass
class Plan:
    sources: int = 0
    render: list[str] = field(default_factory=list)  # sources for the job
    missing: int = 0  # of render: sources missing a configured size
    remove: list[dict[str, str]] = field(default_factory=list)  # key, reason, source
    kept: list[dict[str, str]] = field(default_factory=list)  # key, reason
    sizes_found: dict[str, int] = field(default_factory=dict)


def _candidates(rest: str) -> list[str]:
    return [rest, *(rest[: -len(e)] for e in EXTENSIONS.values() if rest.endswith(e) and len(rest) > len(e))]


def _formats(rest: str, sources: set[str]) -> tuple[str | None, str | None]:
    """With output_formats: the source a thumbnail's key names and the format it is in (None: written without its
    format's extension, so before output_formats); (None, None) when no source matches."""
    for name, extension in EXTENSIONS.items():
        if rest.endswith(extension) and rest[: -len(extension)] in sources:
            return rest[: -len(extension)], name
    return (rest, None) if rest in sources else (None, None)


def plan(deployment: Deployment, s3: Any, progress: Progress) -> Plan:
    found = Plan()
    progress.stage(f"listing the sources under s3://{deployment.source_bucket}/{deployment.source_prefix}")
    sources = set(manifests.sources(deployment, s3, None, None))
    found.sources = len(sources)
    configured = set(deployment.sizes)
    formats = deployment.output_formats
    covered: dict[str, set[tuple[str, str | None]]] = {size: set() for size in configured}
    suspects: list[tuple[str, str, list[str]]] = []  # key, reason, candidate sources
    folders = s3.get_paginator("list_objects_v2").paginate(
        Bucket=deployment.destination_bucket, Prefix=deployment.destination_prefix, Delimiter="/"
    )
    sizes = [
        p["Prefix"][len(deployment.destination_prefix) : -1] for page in folders for p in page.get("CommonPrefixes", [])
    ]
    for size in sizes:
        if not SIZE.match(size):
            continue
        folder = f"{deployment.destination_prefix}{size}/"
        progress.stage(f"listing s3://{deployment.destination_bucket}/{folder}")
        count = 0
        for key in manifests.listed(s3, deployment.destination_bucket, folder, deployment.destination_owner):
            count += 1
            candidates = _candidates(key[len(folder) :])
            source = next((c for c in candidates if c in sources), None)
            fmt = None
            if formats and source is not None:
                source, fmt = _formats(key[len(folder) :], sources)
            if size in deployment.on_demand_sizes and (size not in configured or fmt in deployment.on_demand_formats):
                # A variant made on request: kept while its source is and its format is enabled (on_demand).
                source, fmt = _formats(key[len(folder) :], sources)
                if source is None:
                    suspects.append((key, "its source is gone", candidates))
                elif fmt not in deployment.on_demand_formats:
                    suspects.append((key, f"format {fmt} is no longer enabled (on_demand.formats)", [source]))
                elif size in configured:
                    covered[size].add((source, fmt))
            elif size not in configured:
                suspects.append((key, f"size {size} is no longer configured", candidates))
            elif source is not None and formats and fmt not in formats:
                retired = f"format {fmt} is" if fmt else "a thumbnail without its format's extension is"
                suspects.append((key, f"{retired} no longer configured (output_formats)", [source]))
            elif source is not None:
                covered[size].add((source, fmt))
            else:
                suspects.append((key, "its source is gone", candidates))
        found.sizes_found[size] = count
    progress.stage(f"reading the metadata of {len(suspects)} thumbnail(s) to remove")
    gone: set[str] = set()

    def judge(suspect: tuple[str, str, list[str]]) -> tuple[str, str, str | None]:
        key, reason, candidates = suspect
        metadata = s3.head_object(Bucket=deployment.destination_bucket, Key=key).get("Metadata", {})
        return key, reason, next((c for c in candidates if deployment.made_by_us(metadata, c)), None)

    with ThreadPoolExecutor(THREADS) as pool:
        for key, reason, source in pool.map(judge, suspects):
            if source is None:
                found.kept.append(
                    {"key": key, "reason": f"{reason}, but its metadata does not name a source of this function"}
                )
            else:
                found.remove.append({"key": key, "reason": reason, "source": source})
                if source not in sources:
                    gone.add(source)
    wanted: tuple[str | None, ...] = formats or (None,)
    missing = sorted(s for s in sources if any((s, f) not in covered[size] for size in configured for f in wanted))
    found.missing = len(missing)
    found.render = sorted(sources | gone) if deployment.catalogue else missing
    return found


def _delete(s3: Any, deployment: Deployment, keys: Iterable[str]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    batch: list[str] = []
    owner = {"ExpectedBucketOwner": deployment.destination_owner} if deployment.destination_owner else {}

    def flush() -> None:
        answer = s3.delete_objects(
            Bucket=deployment.destination_bucket,
            Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            **owner,
        )
        errors.extend(
            {"key": e["Key"], "code": e.get("Code", ""), "reason": e.get("Message", "")}
            for e in answer.get("Errors", [])
        )
        batch.clear()

    for key in keys:
        batch.append(key)
        if len(batch) == 1000:
            flush()
    if batch:
        flush()
    return errors


def run(args: argparse.Namespace, clients: Clients, deployment: Deployment, progress: Progress) -> int:
    s3 = clients("s3")
    if not args.dry_run:
        deployment.batch_location()  # the job needs the role: say so before the listings
    found = plan(deployment, s3, progress)
    summary: dict[str, Any] = {
        "command": "reconcile",
        "dry_run": bool(args.dry_run),
        "function": deployment.function_name,
        "sizes": list(deployment.sizes),
        "sizes_found": found.sizes_found,
        "sources": found.sources,
        "missing_sizes": found.missing,
        "render": len(found.render),
        "remove": found.remove,
        "kept": found.kept,
    }
    head = (
        f"reconcile of {deployment.function_name}{' (dry run)' if args.dry_run else ''}: {found.sources} source(s), "
        f"{found.missing} missing a size; {len(found.render)} to render, {len(found.remove)} thumbnail(s) to remove, "
        f"{len(found.kept)} kept (not written by this module)"
    )
    lines = [head]
    lines += [f"  remove {r['key']}  ({r['reason']})" for r in found.remove[:LISTED_SHOWN]]
    lines += [f"  keep   {k['key']}  ({k['reason']})" for k in found.kept[:LISTED_SHOWN]]
    if args.dry_run:
        lines += [f"  render {key}" for key in found.render[:LISTED_SHOWN]]
        emit({**summary, "render_keys": found.render}, args.json, "\n".join(lines))
        return 0
    status = 0
    if found.remove:
        progress.stage(f"removing {len(found.remove)} thumbnail(s)")
        errors = _delete(s3, deployment, (r["key"] for r in found.remove))
        summary["remove_errors"] = errors
        status = 1 if errors else 0
    if not found.render:
        summary["job_id"] = None
        emit(summary, args.json, "\n".join(lines))
        return status
    bucket, prefix = deployment.batch_location()
    lines_out = (manifests.line(deployment.source_bucket, key) for key in found.render)
    manifest = manifests.upload(s3, bucket, manifest_key(prefix, deployment, "reconcile"), lines_out)
    progress.stage(f"manifest {manifest.uri}: {manifest.count} object(s)")
    control = clients("s3control")
    job_id = jobs.create(control, deployment, manifest, "reconcile")
    outcome = jobs.follow(control, s3, deployment, job_id, progress, args.poll_seconds)
    summary |= {"manifest": manifest.uri, **outcome.as_dict()}
    lines.append(describe("render", deployment, summary))
    emit(summary, args.json, "\n".join(lines))
    return 1 if status or outcome.status != "Complete" or outcome.failed else 0
