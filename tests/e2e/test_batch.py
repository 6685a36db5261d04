"""A whole bucket brought in line by the thumbnails command, on localaws's S3 Batch Operations.

The objects are in the bucket before the stack exists (keys with spaces, +, %, commas, quotes, a tab, non-ASCII,
one of 1,024 bytes; some not pictures): 300 in `make test`, 2,000 in `make bench-backfill`
(THUMBNAILS_E2E_OBJECTS), which also records the figures. Then: a backfill, cancelled on its way and resumed,
makes every size of every picture and one catalogue row each, and reports the non-pictures as permanent
failures; a size added and one removed, reconcile leaves exactly the configured sizes; sources deleted while the
trigger was off, reconcile removes their thumbnails and rows and nothing else (a thumbnail the module did not
write stays).

The backfill's rate and the function's mean duration are measured here; with RECORD_FIGURES=1 (`make
bench-backfill`) they are recorded for docs/benchmarks.md (devkit/figures.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql
import pytest

from devkit import figures
from devkit.endpoint import wait_for
from devkit.stack import local_terraform
from thumbnails.clients import strip_account_host

from ..conftest import new_database
from .test_pipeline import photo

pytestmark = pytest.mark.e2e

NAMES = {"name_prefix": "batch", "function_name": "thumbs-batch"}
SOURCE, DESTINATION = "batch-uploads", "batch-thumbnails"
THUMBNAILS = Path(sys.executable).with_name("thumbnails")
SIZES = ["1024", "256", "128x128"]
OBJECTS = int(os.environ.get("THUMBNAILS_E2E_OBJECTS", "300"))
NOT_PICTURES = 10
PICTURES = OBJECTS - NOT_PICTURES
CANCEL_AFTER = OBJECTS // 6  # tasks done before the backfill is cancelled
COMMAND = "make bench-backfill"
# AWS's list prices (us-east-1, x86_64, as published when this was written): Lambda per GB-second and per million
# requests; Batch Operations per job and per million objects.
LAMBDA_GB_SECOND, LAMBDA_MILLION_REQUESTS = 0.0000166667, 0.20
BATCH_JOB, BATCH_MILLION_OBJECTS = 0.25, 1.00
MEMORY_GB = 1024 / 1024  # the complete example's memory_size


def picture_keys() -> list[str]:
    variants = ["photo", "a+b", "100% sure", "ünïcødé", "日本 写真", "c,d", "quote'\"", "tab\there"]
    keys = [f"uploads/batch/{n % 7}/{n:04d} {variants[n % len(variants)]}.jpg" for n in range(PICTURES - 1)]
    keys.append(long_key(LONGEST_FITTING))  # every thumbnail key of it fits S3's 1,024 bytes
    return keys


# S3's keys are at most 1,024 bytes: the longest source whose thumbnail keys fit leaves room for the longest size's
# folder in front ("thumbnails/128x128/") and the longest extension behind (".webp": with one format, whether a key
# carries one is known only once the picture is decoded). A 1,024-byte source is refused, like a non-picture.
LONGEST_FITTING = 1024 - len("thumbnails/128x128/") - len(".webp")
TOO_LONG = 1024


def long_key(length: int) -> str:
    stem = "uploads/long/" + "ü" * 200
    key = stem + "x" * (length - len(stem.encode()) - len(".jpg")) + ".jpg"
    assert len(key.encode()) == length
    return key


def cli(endpoint: str, *args: str) -> tuple[int, dict[str, Any], str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "localaws",
        "AWS_SECRET_ACCESS_KEY": "localaws",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(
        [str(THUMBNAILS), *args, "--function", NAMES["function_name"], "--json", "--poll-seconds", "0.5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return done.returncode, json.loads(done.stdout or "{}"), done.stderr


def thumbnails_by_size(client) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for page in client("s3").get_paginator("list_objects_v2").paginate(Bucket=DESTINATION, Prefix="thumbnails/"):
        for entry in page.get("Contents", []):
            size, _, source = entry["Key"].removeprefix("thumbnails/").partition("/")
            found.setdefault(size, set()).add(source)
    return found


def rows(database) -> Counter:
    try:
        return Counter(size for (size,) in database.query("SELECT size FROM thumbnails"))
    except pymysql.err.ProgrammingError:  # no table yet
        return Counter()


def mean_duration_ms(client, function: str) -> float:
    durations = []
    paginator = client("logs").get_paginator("filter_log_events")
    for page in paginator.paginate(logGroupName=f"/aws/lambda/{function}", filterPattern="platform.report"):
        for event in page["events"]:
            try:
                record = json.loads(event["message"])
            except ValueError:
                continue
            if record.get("type") == "platform.report":
                durations.append(record["record"]["metrics"]["durationMs"])
    assert durations, "the function's platform.report lines"
    return sum(durations) / len(durations)


@dataclass
class Bucket:
    tf: Any
    tf_vars: dict[str, str]
    database: Any
    pictures: list[str]
    others: list[str]


@pytest.fixture(scope="module")
def bucket(endpoint, client, mariadb_proc, tmp_path_factory) -> Iterator[Bucket]:
    """The buckets and their objects first, then the function, its trigger and the role: the objects exist before
    the stack does. The tests below are the steps of one story, in order, on one worker (xdist group "batch")."""
    s3 = client("s3")
    with new_database(mariadb_proc) as database:
        secret = client("secretsmanager").create_secret(Name="thumbs-batch-db", SecretString=database.secret())
        tf_vars = {**NAMES, "database_secret_arn": secret["ARN"]}
        tf = local_terraform(tmp_path_factory.mktemp("batch"), endpoint)
        pictures, others = picture_keys(), [f"uploads/batch/not-a-picture-{n}.jpg" for n in range(NOT_PICTURES)]
        try:
            tf.apply(tf_vars=tf_vars, targets=["aws_s3_bucket.this"])
            body = photo(160, 120)
            unwatched = ["uploads/readme.txt", "elsewhere/photo.jpg"]
            with ThreadPoolExecutor(8) as pool:
                keys = [*pictures, *unwatched, long_key(TOO_LONG)]  # the last: its thumbnails no S3 key could hold
                list(pool.map(lambda k: s3.put_object(Bucket=SOURCE, Key=k, Body=body), keys))
                list(pool.map(lambda k: s3.put_object(Bucket=SOURCE, Key=k, Body=b"not a picture"), others))
            tf.apply(tf_vars=tf_vars)
            yield Bucket(tf, tf_vars, database, pictures, others)
        finally:
            tf.destroy(tf_vars=tf_vars)
            client("secretsmanager").delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)


batch_story = pytest.mark.xdist_group("batch")


@batch_story
def test_a_bucket_backfilled_cancelled_and_resumed(bucket, endpoint, client):
    pictures, others, database = bucket.pictures, bucket.others, bucket.database
    assert thumbnails_by_size(client) == {}, "S3 events announce only new changes"
    # A backfill, cancelled on its way, then resumed with the keys it had not done.
    started = time.monotonic()
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "localaws"}
    env |= {"AWS_SECRET_ACCESS_KEY": "localaws", "AWS_DEFAULT_REGION": "us-east-1"}
    first = subprocess.Popen(
        [str(THUMBNAILS), "backfill", "--function", NAMES["function_name"], "--json", "--poll-seconds", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    control = client("s3control")
    strip_account_host(control)

    def running() -> dict | None:
        listed = control.list_jobs(AccountId="123456789012", JobStatuses=["Active"]).get("Jobs", [])
        job = next((j for j in listed if j.get("Description") == f"thumbnails backfill {NAMES['function_name']}"), None)
        return job if job and job["ProgressSummary"].get("NumberOfTasksSucceeded", 0) >= CANCEL_AFTER else None

    job = wait_for(running, 300, "the backfill to be under way")
    control.update_job_status(AccountId="123456789012", JobId=job["JobId"], RequestedJobStatus="Cancelled")
    out, err = first.communicate(timeout=300)
    cancelled = json.loads(out)
    assert first.returncode == 1, err
    assert cancelled["status"] == "Cancelled" and CANCEL_AFTER <= cancelled["tasks"]["succeeded"] < len(pictures)

    code, resumed, err = cli(endpoint, "backfill", "--resume", cancelled["job_id"])
    backfill_seconds = time.monotonic() - started
    assert resumed["status"] == "Complete", err
    done_first = cancelled["tasks"]["succeeded"] + cancelled["tasks"]["failed"]
    assert resumed["tasks"]["total"] + done_first == len(pictures) + len(others) + 1
    failed = {f["key"]: f for f in cancelled["failed"] + resumed["failed"]}
    too_long = long_key(TOO_LONG)
    assert set(failed) == {*others, too_long}, "only the non-pictures and the key too long fail"
    assert {f["code"] for f in failed.values()} == {"PermanentFailure"}
    assert all("not an image" in f["reason"] for key, f in failed.items() if key != too_long)
    assert "longer than S3's key limit of 1024 bytes (the source key is 1024 bytes)" in failed[too_long]["reason"]
    assert code == 1, "failures were found"
    assert thumbnails_by_size(client) == {size: set(pictures) for size in SIZES}
    wait_for(lambda: rows(database) == Counter({size: len(pictures) for size in SIZES}), 60, "a row per thumbnail")

    rate = (resumed["tasks"]["total"]) / resumed["seconds"]
    duration = mean_duration_ms(client, NAMES["function_name"])
    print(f"\nbackfill of {len(pictures) + len(others)} objects: {backfill_seconds:.0f} s in all; resumed job "
          f"{resumed['tasks']['total']} tasks at {rate:.1f}/s; function mean {duration:.1f} ms")  # fmt: skip
    if os.environ.get(figures.RECORDING) == "1":
        lambda_cost = 1e6 * (duration / 1000 * MEMORY_GB * LAMBDA_GB_SECOND) + LAMBDA_MILLION_REQUESTS
        figures.record(
            "batch_backfill_rate", round(rate, 1), "objects/s", f"{rate:.0f} objects a second", COMMAND, timing=True
        )
        figures.record("batch_function_ms", round(duration, 1), "ms", f"{duration:.0f} ms", COMMAND, timing=True)
        figures.record("batch_cost_per_million", round(lambda_cost + BATCH_MILLION_OBJECTS, 2), "USD",
                       f"${lambda_cost + BATCH_MILLION_OBJECTS:.2f}", COMMAND, timing=True)  # fmt: skip


@batch_story
def test_a_size_added_and_one_removed_are_reconciled(bucket, endpoint, client):
    pictures, database = bucket.pictures, bucket.database
    # A size added, one removed: reconcile leaves exactly the configured sizes (and their rows).
    bucket.tf.apply(tf_vars={**bucket.tf_vars, "thumbnail_sizes": ["1024", "128x128", "512"]})
    code, fixed, err = cli(endpoint, "reconcile")
    assert fixed["status"] == "Complete", err
    assert {r["reason"] for r in fixed["remove"]} == {"size 256 is no longer configured"}
    assert len(fixed["remove"]) == len(pictures)
    assert thumbnails_by_size(client) == {size: set(pictures) for size in ["1024", "128x128", "512"]}
    assert rows(database) == Counter({size: len(pictures) for size in ["1024", "128x128", "512"]})


@batch_story
def test_sources_deleted_while_the_trigger_was_off_are_reconciled(bucket, endpoint, client):
    s3, pictures, others, database = client("s3"), bucket.pictures, bucket.others, bucket.database
    body = photo(160, 120)
    # Sources deleted while the trigger was off: reconcile removes their thumbnails and rows, nothing else.
    s3.put_bucket_notification_configuration(Bucket=SOURCE, NotificationConfiguration={})
    deleted = pictures[:25]
    for key in deleted:
        s3.delete_object(Bucket=SOURCE, Key=key)
    foreign = ["thumbnails/512/uploads/batch/placed by hand.jpg", f"thumbnails/512/{deleted[0]}.webp"]
    for key in foreign:
        s3.put_object(Bucket=DESTINATION, Key=key, Body=body)
    code, dry, err = cli(endpoint, "reconcile", "--dry-run")
    assert code == 0 and len(dry["remove"]) == 3 * len(deleted) and not dry.get("job_id"), err
    assert {k["key"] for k in dry["kept"]} == set(foreign)
    code, fixed, err = cli(endpoint, "reconcile")
    assert fixed["status"] == "Complete", err
    assert {r["source"] for r in fixed["remove"]} == set(deleted)
    kept = set(pictures) - set(deleted)
    found = thumbnails_by_size(client)
    assert found["1024"] == found["128x128"] == kept
    assert found["512"] == kept | {k.removeprefix("thumbnails/512/") for k in foreign}
    assert rows(database) == Counter({size: len(kept) for size in ["1024", "128x128", "512"]})

    code, status, err = cli(endpoint, "status")
    assert code == 0, err
    assert status["sources"]["objects"] == len(kept) + len(others) + 1
    assert status["thumbnails"]["per_size"] == {"1024": len(kept), "128x128": len(kept), "512": len(kept) + 2}
    assert [j["command"] for j in status["jobs"][:2]] == ["reconcile", "reconcile"]
