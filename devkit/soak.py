"""The soak: uploads, overwrites and deletes under AWS's own faults, in one trigger mode, and a check that nothing was
lost, nothing is stale, no catalogue row is doubled and every failure is visible -- then an S3 outage, and
``thumbnails redrive`` bringing back what it left.

The real function (devkit/localfunction.py) runs on an in-process localaws whose chaos rules (localaws/chaos.py)
put on it what AWS does under load:

- S3 ``GetObject``/``PutObject``: 5% ``503 SlowDown``, 2% ``500 InternalError`` (the function's reads and writes,
  and the uploads themselves: the uploader's SDK retries them as a real client does);
- Secrets Manager: 5% ``ThrottlingException`` (with the catalogue);
- Lambda: 2% of invocations failed before the handler, 1% killed halfway (``kill_after_ms``).

Then the faults are cleared and the queues drain. Then an outage: every S3 read of the function fails until each
event made during it has failed for good (at least ``outage_seconds``), the faults are cleared and
``thumbnails redrive`` runs. The check, after each phase: every live source has exactly its thumbnail, made from
its current version (the thumbnail's ``source-etag``); every deleted source has none; no other thumbnail exists;
the catalogue has one row per thumbnail and agrees with S3; every failure in the on-failure destination carries its
reason; the function's metrics (its EMF lines) add up to what happened.

    python -m devkit.soak --mode s3 --uploads 1000 --overwrites 100 --deletes 100 [--catalogue] [--record]
    make soak          # every mode at full size, the catalogue on
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from devkit.localfunction import code_dir, deploy
from localaws.server import LocalAWS

MODES = ("s3", "sqs", "eventbridge")
SIZE = "32"
UPLOADER = Config(retries={"mode": "standard", "max_attempts": 10}, max_pool_connections=16)
S3_OPERATIONS = ("GetObject", "PutObject")
ASYNC_EVENTS = 16  # asynchronous invocations localaws runs at once (its default is 4)
READS = ("GetObject", "HeadObject", "ListObjectsV2")  # the function's reads (the outage); uploads are PutObject


def faults(kill_after_ms: int) -> list[dict[str, Any]]:
    """The issue's fault mix, as chaos rules (the first that matches and draws answers)."""
    rules: list[dict[str, Any]] = []
    for operation in S3_OPERATIONS:
        rules.append(
            {
                "service": "s3",
                "operation": operation,
                "probability": 0.05,
                "error": {"statusCode": 503, "code": "SlowDown"},
            }
        )
        rules.append(
            {
                "service": "s3",
                "operation": operation,
                "probability": 0.02,
                "error": {"statusCode": 500, "code": "InternalError"},
            }
        )
    rules.append(
        {
            "service": "secretsmanager",
            "probability": 0.05,
            "error": {"statusCode": 400, "code": "ThrottlingException"},
        }
    )
    rules.append({"service": "lambda", "operation": "Invoke", "probability": 0.02, "error": {"code": "InjectedFault"}})
    rules.append({"service": "lambda", "operation": "Invoke", "probability": 0.01, "kill_after_ms": kill_after_ms})
    return rules


OUTAGE = [{"service": "s3", "operation": op, "error": {"statusCode": 503, "code": "SlowDown"}} for op in READS]


@dataclass
class Plan:
    mode: str
    uploads: int = 100
    overwrites: int = 10
    deletes: int = 10
    outage_uploads: int = 10
    outage_seconds: float = 0.0  # the outage lasts at least this long
    catalogue: Any = None  # a tests/conftest.py Database (or devkit's): its secret() and query()
    visibility_seconds: int = 6  # the SQS queue's visibility timeout (and so the function's timeout in sqs mode)
    max_receives: int = 2  # SQS receives before the dead-letter queue
    kill_after_ms: int = 25  # about halfway into a warm invocation of a small picture
    seed: int = 35
    drain_seconds: float = 300.0


@dataclass
class Soak:
    """One mode's run: its names, what was done to the sources, and what the checks found."""

    plan: Plan
    name: str
    source: str
    destination: str
    failures_url: str = ""  # the on-failure destination (s3, eventbridge) or the dead-letter queue (sqs)
    queue_url: str = ""  # sqs: the trigger's queue
    live: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    events: int = 0  # changes made to sources (each one event)
    problems: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def pictures(seed: int) -> Callable[[], bytes]:
    """Small JPEGs, each different (a random colour and a random pixel): every version has its own ETag."""
    from PIL import Image

    rng = random.Random(seed)

    def make() -> bytes:
        image = Image.new("RGB", (96, 64), tuple(rng.randrange(256) for _ in range(3)))
        image.putpixel((rng.randrange(96), rng.randrange(64)), (rng.randrange(256), 0, 0))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        return buffer.getvalue()

    return make


class Harness:
    """The endpoint, its clients, and the steps of a soak."""

    def __init__(self, aws: LocalAWS) -> None:
        assert aws.runtime is not None and aws.invoker is not None, "a started localaws"
        self.aws = aws
        self.runtime, self.invoker = aws.runtime, aws.invoker
        session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
        self._clients: dict[str, Any] = {}
        self._session = session

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self.aws.endpoint_url, config=UPLOADER)
        return self._clients[service]

    # -- set up ----------------------------------------------------------------------------------------------

    def setup(self, plan: Plan) -> Soak:
        name = f"soak-{plan.mode}-{uuid.uuid4().hex[:6]}"
        soak = Soak(plan, name, f"{name}-src", f"{name}-dst")
        s3, lam = self.client("s3"), self.client("lambda")
        for bucket in (soak.source, soak.destination):
            s3.create_bucket(Bucket=bucket)
        environment = {}
        if plan.catalogue is not None:
            secret = self.client("secretsmanager").create_secret(
                Name=f"{name}-db", SecretString=plan.catalogue.secret()
            )
            environment = {"DATABASE_SECRET_ARN": secret["ARN"], "DATABASE_TLS": "disable"}
        timeout = plan.visibility_seconds if plan.mode == "sqs" else 30
        arn = deploy(
            lam,
            self.client("iam"),
            name,
            source=soak.source,
            destination=soak.destination,
            environment={"THUMBNAIL_SIZES": SIZE, **environment},
            timeout=timeout,
            memory=512,
        )
        failures, failures_arn = self.queue(f"{name}-failures")
        soak.failures_url = failures
        if plan.mode in ("s3", "eventbridge"):
            lam.put_function_event_invoke_config(
                FunctionName=name,
                MaximumRetryAttempts=2,
                DestinationConfig={"OnFailure": {"Destination": failures_arn}},
            )
        if plan.mode == "s3":
            s3.put_bucket_notification_configuration(
                Bucket=soak.source,
                NotificationConfiguration={
                    "LambdaFunctionConfigurations": [
                        {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
                    ]
                },
            )
        elif plan.mode == "eventbridge":
            s3.put_bucket_notification_configuration(
                Bucket=soak.source, NotificationConfiguration={"EventBridgeConfiguration": {}}
            )
            events = self.client("events")
            pattern = {
                "source": ["aws.s3"],
                "detail-type": ["Object Created", "Object Deleted"],
                "detail": {"bucket": {"name": [soak.source]}},
            }
            events.put_rule(Name=name, EventPattern=json.dumps(pattern))
            events.put_targets(Rule=name, Targets=[{"Id": "thumbnails", "Arn": arn}])
        else:
            url, queue_arn = self.queue(
                f"{name}-queue",
                VisibilityTimeout=str(plan.visibility_seconds),
                RedrivePolicy=json.dumps({"deadLetterTargetArn": failures_arn, "maxReceiveCount": plan.max_receives}),
            )
            soak.queue_url = url
            s3.put_bucket_notification_configuration(
                Bucket=soak.source,
                NotificationConfiguration={
                    "QueueConfigurations": [
                        {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
                    ]
                },
            )
            lam.create_event_source_mapping(
                EventSourceArn=queue_arn,
                FunctionName=name,
                BatchSize=10,
                MaximumBatchingWindowInSeconds=1,
                FunctionResponseTypes=["ReportBatchItemFailures"],
            )
        return soak

    def queue(self, name: str, **attributes: str) -> tuple[str, str]:
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    # -- the work --------------------------------------------------------------------------------------------

    def changes(self, soak: Soak, uploads: int, overwrites: int, deletes: int, prefix: str) -> None:
        """``uploads`` new keys, then ``overwrites`` of them and ``deletes`` of others at once, while their first
        events are still being processed (8 uploaders)."""
        s3, make = self.client("s3"), pictures(soak.plan.seed + len(soak.live) + len(soak.deleted))
        keys = [f"{prefix}/{i:05d}.jpg" for i in range(uploads)]
        bodies = {key: make() for key in keys}
        again = {key: make() for key in keys[:overwrites]}
        gone = keys[overwrites : overwrites + deletes]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda k: s3.put_object(Bucket=soak.source, Key=k, Body=bodies[k]), keys))
            list(pool.map(lambda k: s3.put_object(Bucket=soak.source, Key=k, Body=again[k]), again))
            list(pool.map(lambda k: s3.delete_object(Bucket=soak.source, Key=k), gone))
        soak.live |= set(keys) - set(gone)
        soak.deleted |= set(gone)
        soak.events += len(keys) + len(again) + len(gone)

    def queued(self, url: str) -> int:
        attributes = self.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def drain(self, soak: Soak, seconds: float) -> None:
        """Until no event waits: the trigger's queue empty, no asynchronous invocation or retry pending -- twice in a
        row (an S3 notification reaches the queue or the invoker a moment after the upload returns)."""
        deadline = time.monotonic() + seconds
        quiet = 0
        while quiet < 2:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{soak.name}: the events did not drain in {seconds:.0f} s")
            busy = (soak.queue_url and self.queued(soak.queue_url) > 0) or not self.invoker.wait_idle(0.5)
            quiet = 0 if busy else quiet + 1
            time.sleep(0.25)

    # -- the checks ------------------------------------------------------------------------------------------

    def check(self, soak: Soak, phase: str, excused: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        s3 = self.client("s3")
        sources = {
            o["Key"]: o["ETag"].strip('"')
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=soak.source)
            for o in page.get("Contents", [])
        }
        thumbnails = [
            o["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=soak.destination, Prefix="thumbnails/")
            for o in page.get("Contents", [])
        ]
        problems = soak.problems
        if set(sources) != soak.live:
            problems.append(f"{phase}: the sources are not what was uploaded ({len(sources)} vs {len(soak.live)})")
        made = {}
        for key in thumbnails:
            source_key = key.removeprefix(f"thumbnails/{SIZE}/")
            made[source_key] = s3.head_object(Bucket=soak.destination, Key=key)["Metadata"].get("source-etag")
        missing = sorted(set(sources) - set(made) - excused)
        stale = sorted(k for k in sources if k in made and made[k] != sources[k] and k not in excused)
        orphans = sorted(set(made) - set(sources))
        if missing:
            problems.append(f"{phase}: {len(missing)} live source(s) without a thumbnail, e.g. {missing[:3]}")
        if stale:
            problems.append(f"{phase}: {len(stale)} stale thumbnail(s) (an older version's), e.g. {stale[:3]}")
        if orphans:
            problems.append(f"{phase}: {len(orphans)} thumbnail(s) of deleted sources, e.g. {orphans[:3]}")
        soak.figures[f"{phase}_thumbnails"] = len(thumbnails)
        if soak.plan.catalogue is not None:
            self.check_catalogue(soak, phase, sources, thumbnails)

    def check_catalogue(self, soak: Soak, phase: str, sources: dict[str, str], thumbnails: list[str]) -> None:
        table = "thumbnails"
        rows = soak.plan.catalogue.query(
            f"SELECT source_key, size, format, source_etag, thumbnail_key FROM `{table}` WHERE source_bucket = %s",
            soak.source,
        )
        counted = Counter((r[0], r[1], r[2]) for r in rows)
        doubled = [k for k, n in counted.items() if n > 1]
        if doubled:
            soak.problems.append(f"{phase}: {len(doubled)} doubled catalogue row(s), e.g. {doubled[:3]}")
        by_key = {r[0]: r for r in rows}
        if set(by_key) != set(sources):
            extra, lacking = sorted(set(by_key) - set(sources)), sorted(set(sources) - set(by_key))
            soak.problems.append(f"{phase}: catalogue rows of deleted sources {extra[:3]}, missing rows {lacking[:3]}")
        disagree = sorted(k for k, r in by_key.items() if k in sources and r[3] != sources[k])
        if disagree:
            soak.problems.append(f"{phase}: {len(disagree)} catalogue row(s) of an older version, e.g. {disagree[:3]}")
        if {r[4] for r in rows} != set(thumbnails):
            soak.problems.append(f"{phase}: the catalogue's thumbnail keys differ from the bucket's")

    def failures(self, soak: Soak) -> list[dict[str, Any]]:
        """What failed for good, as its queue holds it (peeked: made visible again at once)."""
        sqs, seen, found = self.client("sqs"), set(), []
        while True:
            got = sqs.receive_message(
                QueueUrl=soak.failures_url, MaxNumberOfMessages=10, VisibilityTimeout=30, AttributeNames=["All"]
            ).get("Messages", [])
            if not got:
                break
            for message in got:
                if message["MessageId"] not in seen:
                    seen.add(message["MessageId"])
                    found.append(message)
        for message in found:
            sqs.change_message_visibility(
                QueueUrl=soak.failures_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        return found

    def check_failures(self, soak: Soak, phase: str) -> int:
        """Every failure for good is in the destination (or dead-letter queue) with its reason."""
        found = self.failures(soak)
        for message in found:
            body = json.loads(message["Body"])
            if soak.plan.mode == "sqs":
                receives = int(message["Attributes"].get("ApproximateReceiveCount", 0))
                if receives < soak.plan.max_receives:
                    soak.problems.append(f"{phase}: a dead-lettered message received {receives} time(s) only")
            elif not (body.get("responsePayload") or {}).get("errorType"):
                soak.problems.append(f"{phase}: a failure record without its reason: {message['Body'][:300]}")
        return len(found)

    def metrics(self, soak: Soak) -> dict[str, int]:
        """The function's own counts, summed from its EMF lines in CloudWatch Logs."""
        logs = self.client("logs")
        totals: Counter[str] = Counter()
        group = f"/aws/lambda/{soak.name}"
        for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
            for event in page["events"]:
                if '"_aws"' not in event["message"]:
                    continue
                line = json.loads(event["message"])
                if "Reason" in line:  # the per-reason lines repeat Refused
                    continue
                for name in ("Processed", "Deleted", "Skipped", "TransientFailures", "Refused"):
                    totals[name] += int(line.get(name, 0))
                totals["lines"] += 1
                totals["lines_with_transient"] += int(line.get("TransientFailures", 0) > 0)
        return dict(totals)

    def check_metrics(self, soak: Soak) -> None:
        """The function's counts add up: every event's outcome counted once (a kill after the count may count one
        twice), every failed invocation counted by Lambda with its type, and each RetryableError one the function
        counted as transient."""
        counts = self.metrics(soak)
        usage = self.runtime.usage.of(soak.name)
        injected = soak.figures.get("faults_injected", {})  # this mode's, under faults
        outcomes = counts.get("Processed", 0) + counts.get("Deleted", 0) + counts.get("Skipped", 0)
        expected = soak.events  # the outage's uploads are counted once: by the redrive
        kills = usage.errors.get("Runtime.ExitError", 0)
        if not expected <= outcomes <= expected + kills * (10 if soak.plan.mode == "sqs" else 1):
            soak.problems.append(
                f"metrics: {outcomes} outcomes counted (Processed+Deleted+Skipped) for {expected} changes "
                f"({kills} killed invocations)"
            )
        if usage.errors.get("InjectedFault", 0) != injected.get("lambda Invoke InjectedFault", 0):
            soak.problems.append(f"metrics: injected failures {injected} but Lambda counted {dict(usage.errors)}")
        raised = usage.errors.get("Unhandled", 0)  # the handler raised (RetryableError): a transient failure
        transient_lines = counts.get("lines_with_transient", 0)
        if soak.plan.mode != "sqs" and not raised <= transient_lines <= raised + kills:
            soak.problems.append(
                f"metrics: {raised} invocations raised but {counts.get('lines_with_transient', 0)} counted a "
                "transient failure"
            )
        unknown = set(usage.errors) - {"InjectedFault", "Runtime.ExitError", "Unhandled", "Sandbox.Timedout"}
        if unknown:
            soak.problems.append(f"metrics: invocations failed in unexpected ways: {dict(usage.errors)}")
        soak.figures.update(
            invocations=usage.invocations,
            invocation_errors=dict(usage.errors),
            gb_seconds=round(usage.gb_seconds, 2),
            failed_gb_seconds=round(usage.failed_gb_seconds, 2),
            function_counts=counts,
        )

    # -- the phases ------------------------------------------------------------------------------------------

    def run(self, plan: Plan, log: Callable[[str], None] = print) -> Soak:
        return self.run_all([plan], log)[0]

    def run_all(self, plans: list[Plan], log: Callable[[str], None] = print) -> list[Soak]:
        """Each mode's soak in turn; then one outage for them all (its waiting is SDK back-off and Lambda's retry
        delays, so the modes share it); then each one's redrive and checks."""
        soaks = [self.setup(plan) for plan in plans]
        for soak in soaks:
            self.under_faults(soak, log)
        if any(soak.plan.outage_uploads for soak in soaks):
            self.outage(soaks, log)
        for soak in soaks:
            self.check_metrics(soak)
        return soaks

    def under_faults(self, soak: Soak, log: Callable[[str], None]) -> None:
        plan, chaos = soak.plan, self.aws.chaos
        chaos.injected.clear()
        log(f"{soak.name}: {plan.uploads} uploads, {plan.overwrites} overwrites, {plan.deletes} deletes under faults")
        chaos.set_rules(faults(plan.kill_after_ms))
        started = time.monotonic()
        try:
            self.changes(soak, plan.uploads, plan.overwrites, plan.deletes, "soak")
            self.drain(soak, plan.drain_seconds)
        finally:
            chaos.set_rules([])
        under_faults = time.monotonic() - started
        injected = dict(chaos.injected)
        self.drain(soak, plan.drain_seconds)
        usage = self.runtime.usage.of(soak.name)
        failed_for_good = self.check_failures(soak, "soak")
        self.check(soak, "soak", excused=self.named_in_failures(soak))
        soak.figures.update(
            changes_per_second=round(soak.events / under_faults, 1),
            seconds_under_faults=round(under_faults, 1),
            faults_injected=injected,
            failed_for_good=failed_for_good,
            soak_invocations=usage.invocations,
            # beyond the fewest that could have done the work: one an event, or one a full batch of ten
            extra_invocations=usage.invocations - (-(-soak.events // 10) if plan.mode == "sqs" else soak.events),
            soak_invocation_errors=dict(usage.errors),
            soak_gb_seconds=round(usage.gb_seconds, 2),
            soak_failed_gb_seconds=round(usage.failed_gb_seconds, 2),
        )
        log(f"{soak.name}: {soak.events} changes in {under_faults:.1f} s under faults; injected {injected}")

    def named_in_failures(self, soak: Soak) -> set[str]:
        """The source keys the failures waiting in the queue name (their thumbnails may be missing or stale)."""
        from thumbnails.redrive import objects

        return {key for m in self.failures(soak) for _, key in objects(m["Body"]) or []}

    def outage(self, soaks: list[Soak], log: Callable[[str], None]) -> None:
        """Every S3 read fails until what was uploaded meanwhile has failed for good (and at least
        ``outage_seconds``); then ``thumbnails redrive`` in each mode."""
        before = {soak.name: self.queued(soak.failures_url) for soak in soaks}
        log(f"S3 outage (every read fails), {sum(s.plan.outage_uploads for s in soaks)} uploads during it")
        self.aws.chaos.set_rules(OUTAGE)
        started = time.monotonic()
        try:
            for soak in soaks:
                self.changes(soak, soak.plan.outage_uploads, 0, 0, "outage")
            deadline = started + max(s.plan.drain_seconds for s in soaks)
            least = max(s.plan.outage_seconds for s in soaks)
            while time.monotonic() - started < least or any(
                self.queued(s.failures_url) < before[s.name] + s.plan.outage_uploads for s in soaks
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError("the outage's events never all failed for good")
                time.sleep(0.25)
        finally:
            self.aws.chaos.set_rules([])
        lasted = round(time.monotonic() - started, 1)
        for soak in soaks:
            self.drain(soak, soak.plan.drain_seconds)
            failed = self.check_failures(soak, "outage")
            summary = self.redrive(soak)
            soak.figures.update(outage_seconds=lasted, outage_failed_for_good=failed, redrive=summary)
            if summary["left"] or summary["redriven"] != failed:
                soak.problems.append(f"redrive: {summary['redriven']} of {failed} redriven, left {summary['left'][:3]}")
            if self.queued(soak.failures_url):
                soak.problems.append("redrive: messages are left in the queue")
            self.drain(soak, soak.plan.drain_seconds)
            self.check(soak, "redrive")
            log(f"{soak.name}: redrive brought back {summary['redriven']} of {failed} in {summary['seconds']} s")

    def redrive(self, soak: Soak) -> dict[str, Any]:
        """``thumbnails redrive --function NAME``, as the command runs it."""
        from thumbnails import redrive
        from thumbnails.clients import Clients
        from thumbnails.deployment import Deployment
        from thumbnails.output import Progress

        with endpoint_environment(self.aws.endpoint_url):
            clients = Clients(self._session)
            deployment = Deployment.read(clients("lambda"), soak.name)
            return redrive.redrive(clients, deployment, Progress(io.StringIO(), enabled=False))


@contextmanager
def endpoint_environment(url: str) -> Iterator[None]:
    """boto3's sessions read AWS_ENDPOINT_URL: the thumbnails command's clients go to this endpoint."""
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL",)}
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def endpoint(work: Path) -> Iterator[LocalAWS]:
    """An in-process localaws running the real function for every ``soak-*``. Its asynchronous events run
    ``ASYNC_EVENTS`` at once, as Lambda runs them up to the function's concurrency: in the outage each one waits out
    the function's SDK back-off, and four at a time would queue the modes' events behind one another."""
    task = code_dir(work / "task")
    with LocalAWS(port=0, retry_delay=0.2, async_workers=ASYNC_EVENTS, hot_reload={"soak-*": task}) as aws:
        yield aws


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devkit.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=MODES, action="append", help="repeatable; default: every mode")
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--overwrites", type=int, default=100)
    parser.add_argument("--deletes", type=int, default=100)
    parser.add_argument("--outage-uploads", type=int, default=100)
    parser.add_argument("--outage-seconds", type=float, default=60)
    parser.add_argument("--catalogue", action="store_true", help="with the catalogue on a private MariaDB")
    parser.add_argument("--record", action="store_true", help="record the figures in docs (devkit/figures.py)")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for name in ("werkzeug", "localaws"):
        logging.getLogger(name).setLevel(logging.WARNING)
    plans: list[Plan] = []
    with tempfile.TemporaryDirectory(prefix="soak-") as work, endpoint(Path(work)) as aws:
        harness = Harness(aws)
        database = _database(Path(work)) if args.catalogue else None
        with database or _nothing() as catalogue:
            for mode in args.mode or MODES:
                plan = Plan(
                    mode,
                    uploads=args.uploads,
                    overwrites=args.overwrites,
                    deletes=args.deletes,
                    outage_uploads=args.outage_uploads,
                    outage_seconds=args.outage_seconds,
                    catalogue=catalogue,
                    visibility_seconds=15,
                    max_receives=3,
                    drain_seconds=1800,
                )
                plans.append(plan)
            results = harness.run_all(plans)
            for soak in results:
                figures = {"mode": soak.plan.mode, "problems": soak.problems, **soak.figures}
                print(json.dumps(figures, indent=2, default=str))
    failed = [s for s in results if s.problems]
    if args.record and not failed:
        record(results, args)
    return 1 if failed else 0


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


@contextmanager
def _database(work: Path) -> Iterator[Any]:
    from devkit import mariadb

    with mariadb.private_server(work / "mariadb") as server:
        yield Catalogue(server)


@dataclass
class Catalogue:
    """A database on a private MariaDB, for the soak's catalogue: its secret and a query."""

    server: Any
    name: str = "soak"
    password: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        with self.server.root() as connection, connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{self.name}`")
            cursor.execute(f"CREATE USER IF NOT EXISTS '{self.name}'@'%%' IDENTIFIED BY %s", (self.password,))
            cursor.execute(f"GRANT ALL ON `{self.name}`.* TO '{self.name}'@'%'")

    def secret(self) -> str:
        return json.dumps(
            {
                "engine": "mariadb",
                "host": self.server.host,
                "port": self.server.port,
                "username": self.name,
                "password": self.password,
                "dbname": self.name,
            }
        )

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self.server.root() as connection, connection.cursor() as cursor:
            cursor.execute(f"USE `{self.name}`")
            cursor.execute(sql, args)
            return list(cursor.fetchall())


def record(results: list[Soak], args: argparse.Namespace) -> None:
    """The soak's figures into docs/reliability.md (devkit/figures.py)."""
    from devkit import figures

    command = "make soak RECORD=1"
    for soak in results:
        mode, f = soak.plan.mode, soak.figures
        errors = sum(f["soak_invocation_errors"].values())
        values: list[tuple[str, float | int, str, str, bool]] = [
            ("changes_per_second", f["changes_per_second"], "changes/s", f"{f['changes_per_second']:.0f}", True),
            ("changes", soak.events, "changes", f"{soak.events:,}", False),
            ("faults", sum(f["faults_injected"].values()), "faults", f"{sum(f['faults_injected'].values()):,}", False),
            ("invocations", f["soak_invocations"], "invocations", f"{f['soak_invocations']:,}", False),
            ("failed_invocations", errors, "invocations", f"{errors:,}", False),
            ("gb_seconds", f["soak_gb_seconds"], "GB-s", f"{f['soak_gb_seconds']:.1f} GB-s", True),
            ("failed_gb_seconds", f["soak_failed_gb_seconds"], "GB-s", f"{f['soak_failed_gb_seconds']:.1f} GB-s", True),
            ("redriven", f["redrive"]["redriven"], "messages", f"{f['redrive']['redriven']}", False),
        ]
        # after the faulted phase: the outage's invocations (failed ones, and in sqs the partial batches) and redrive
        outage_gb_seconds = round(f["gb_seconds"] - f["soak_gb_seconds"], 1)
        values.append(("outage_gb_seconds", outage_gb_seconds, "GB-s", f"{outage_gb_seconds:.0f} GB-s", True))
        for name, value, unit, text, timing in values:
            figures.record(f"soak_{mode}_{name}", value, unit, text, command, timing=timing)
    lasted = results[0].figures["outage_seconds"]
    figures.record("soak_outage_seconds", lasted, "s", f"{lasted / 60:.0f} minutes", command, timing=True)


if __name__ == "__main__":
    sys.exit(main())
