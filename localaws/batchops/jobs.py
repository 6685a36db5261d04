"""A Batch Operations job's life on localaws, in AWS's states.

``New`` -> ``Preparing`` (the role is assumed and the manifest read: tasks counted) -> ``Suspended`` when the job
asks for confirmation, until ``UpdateJobStatus Ready`` -> ``Ready`` -> ``Active`` (tasks invoked) -> ``Completing``
(the report written) -> ``Complete``. ``UpdateJobStatus Cancelled`` moves a job through ``Cancelling`` to
``Cancelled`` (tasks under way finish; the report covers the tasks done). A role Batch Operations may not assume,
a manifest it may not read (or whose ETag differs), a report it may not write, or more than half of the tasks
failed once at least 1,000 ran, make it ``Failing`` -> ``Failed`` with its ``FailureReasons``.

Every task is one invocation of the function (``RequestResponse``) with one task, in the job's
``InvocationSchemaVersion``: 1.0 names the bucket by ARN (``s3BucketArn``), 2.0 by name (``s3Bucket``) and carries
``UserArguments``. Up to ``workers`` tasks run at once, within the account's concurrency: a throttled invocation is
tried again after a pause, without counting as a try. A ``TemporaryFailure`` is tried again (up to
``TEMPORARY_TRIES`` tries in all), then counts as failed; a function error, an answer that is not JSON, or a task
the answer leaves out (``treatMissingKeysAs``, ``PermanentFailure`` by default) fails the task.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import manifest, report
from .access import Role
from .manifest import ManifestError, Task
from .report import ReportError, TaskResult

log = logging.getLogger("localaws")

TEMPORARY_TRIES = 3
FAILURE_THRESHOLD_TASKS = 1000  # AWS fails a job whose failures pass half of the tasks once this many ran
TERMINAL = ("Complete", "Cancelled", "Failed")


class JobError(Exception):
    """An S3 Control error: ``code`` (BadRequestException, NotFoundException, JobStatusException...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Job:
    account_id: str
    region: str
    spec: dict[str, Any]  # CreateJob's parameters
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "New"
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    terminated: datetime | None = None
    suspended: datetime | None = None
    status_reason: str | None = None
    failures: list[dict[str, str]] = field(default_factory=list)
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    active_seconds: float = 0.0
    report_key: str | None = None
    lock: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:{self.region}:{self.account_id}:job/{self.id}"

    @property
    def priority(self) -> int:
        return int(self.spec.get("Priority", 0))

    def progress(self) -> dict[str, Any]:
        return {
            "TotalNumberOfTasks": self.total,
            "NumberOfTasksSucceeded": self.succeeded,
            "NumberOfTasksFailed": self.failed,
            "Timers": {"ElapsedTimeInActiveSeconds": int(self.active_seconds)},
        }

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "JobId": self.id,
            "ConfirmationRequired": bool(self.spec.get("ConfirmationRequired")),
            "JobArn": self.arn,
            "Status": self.status,
            "Manifest": self.spec.get("Manifest"),
            "Operation": self.spec.get("Operation"),
            "Priority": self.priority,
            "ProgressSummary": self.progress(),
            "FailureReasons": self.failures,
            "Report": self.spec.get("Report"),
            "CreationTime": self.created,
            "RoleArn": self.spec.get("RoleArn"),
        }
        optional = {
            "Description": self.spec.get("Description"),
            "StatusUpdateReason": self.status_reason,
            "TerminationDate": self.terminated,
            "SuspendedDate": self.suspended,
            "SuspendedCause": "AwaitingConfirmation" if self.suspended else None,
        }
        return described | {name: value for name, value in optional.items() if value is not None}

    def listed(self) -> dict[str, Any]:
        entry = {
            "JobId": self.id,
            "Operation": next(iter(self.spec.get("Operation") or {"LambdaInvoke": {}})),
            "Priority": self.priority,
            "Status": self.status,
            "CreationTime": self.created,
            "ProgressSummary": self.progress(),
        }
        if self.spec.get("Description"):
            entry["Description"] = self.spec["Description"]
        if self.terminated:
            entry["TerminationDate"] = self.terminated
        return entry


class Jobs:
    """Every job of the endpoint, by account; each runs on a thread of its own."""

    def __init__(self, execute: Callable[[Any, bytes], Any], workers: int = 4) -> None:
        self.execute = execute
        self.workers = workers
        self._jobs: dict[str, Job] = {}
        self._tokens: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # -- the API ------------------------------------------------------------------------------------------------

    def create(self, account_id: str, region: str, spec: dict[str, Any]) -> Job:
        invoke = (spec.get("Operation") or {}).get("LambdaInvoke")
        if not invoke or not invoke.get("FunctionArn"):
            raise JobError("BadRequestException", "localaws runs LambdaInvoke jobs only (Operation.LambdaInvoke).")
        if str(invoke.get("InvocationSchemaVersion") or "1.0") not in ("1.0", "2.0"):
            raise JobError("BadRequestException", "InvocationSchemaVersion must be 1.0 or 2.0.")
        if invoke.get("UserArguments") and invoke.get("InvocationSchemaVersion") != "2.0":
            raise JobError("BadRequestException", "UserArguments need InvocationSchemaVersion 2.0.")
        if "Manifest" not in spec or "ManifestGenerator" in spec:
            raise JobError("BadRequestException", "localaws needs a Manifest (a generated manifest is not modelled).")
        token = (account_id, str(spec.get("ClientRequestToken") or uuid.uuid4()))
        with self._lock:
            if token in self._tokens:  # the same request again: the same job
                return self._jobs[self._tokens[token]]
            job = Job(account_id, region, spec)
            self._jobs[job.id] = job
            self._tokens[token] = job.id
        threading.Thread(target=self._run, args=(job,), name=f"localaws-job-{job.id[:8]}", daemon=True).start()
        return job

    def get(self, account_id: str, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None or job.account_id != account_id:
            raise JobError("NotFoundException", f"Job {job_id} does not exist.")
        return job

    def listed(self, account_id: str, statuses: list[str] | None) -> list[Job]:
        jobs = [j for j in self._jobs.values() if j.account_id == account_id]
        jobs = [j for j in jobs if not statuses or j.status in statuses]
        return sorted(jobs, key=lambda j: j.created, reverse=True)

    def update_status(self, account_id: str, job_id: str, requested: str, reason: str | None) -> Job:
        job = self.get(account_id, job_id)
        with job.lock:
            if requested == "Cancelled" and job.status not in (*TERMINAL, "Cancelling", "Failing", "Completing"):
                self._move(job, "Cancelling", reason)
            elif requested == "Ready" and job.status == "Suspended":
                self._move(job, "Ready", reason)
            else:
                raise JobError("JobStatusException", f"Job {job_id} is {job.status}: it cannot become {requested}.")
            job.lock.notify_all()
        return job

    def update_priority(self, account_id: str, job_id: str, priority: int) -> Job:
        job = self.get(account_id, job_id)
        job.spec["Priority"] = priority
        return job

    def stop(self) -> None:
        self._stop.set()

    # -- a job's life -------------------------------------------------------------------------------------------

    @staticmethod
    def _move(job: Job, status: str, reason: str | None = None) -> None:
        job.status = status
        job.status_reason = reason or job.status_reason
        if status in TERMINAL:
            job.terminated = datetime.now(UTC)
        log.info("localaws: Batch Operations job %s %s", job.id, status)

    def _fail(self, job: Job, code: str, reason: str) -> None:
        with job.lock:
            job.failures.append({"FailureCode": code, "FailureReason": reason})
            self._move(job, "Failing", reason)
            self._move(job, "Failed", reason)

    def _run(self, job: Job) -> None:
        try:
            self._lifecycle(job)
        except Exception as exc:  # a bug here must end the job, never leave it Active forever
            log.exception("localaws: Batch Operations job %s", job.id)
            self._fail(job, "InternalError", f"localaws: {type(exc).__name__}: {exc}")

    def _lifecycle(self, job: Job) -> None:
        with job.lock:
            self._move(job, "Preparing")
        role = Role(job.account_id, str(job.spec.get("RoleArn")))
        if reason := role.assumable():
            return self._fail(job, "AccessDenied", reason)
        try:
            tasks = list(manifest.tasks(role, job.spec["Manifest"]))
        except ManifestError as exc:
            return self._fail(job, exc.code, exc.reason)
        with job.lock:
            job.total = len(tasks)
            if job.status == "Preparing":
                if job.spec.get("ConfirmationRequired"):
                    job.suspended = datetime.now(UTC)
                    self._move(job, "Suspended")
                else:
                    self._move(job, "Ready")
            while job.status == "Suspended" and not self._stop.is_set():
                job.lock.wait(0.5)
            if job.status == "Ready":
                self._move(job, "Active")
        results = self._invoke_all(job, role, tasks) if job.status == "Active" else []
        with job.lock:
            if job.status == "Active":
                self._move(job, "Completing")
        try:
            if results:  # AWS writes a report once at least one task ran
                job.report_key = report.write(role, job.id, job.spec.get("Report") or {}, results)
        except ReportError as exc:
            return self._fail(job, "AccessDenied", str(exc))
        with job.lock:
            ends = {"Completing": "Complete", "Cancelling": "Cancelled", "Failing": "Failed"}
            self._move(job, ends.get(job.status, job.status))

    def _invoke_all(self, job: Job, role: Role, tasks: list[Task]) -> list[TaskResult]:
        invoke = job.spec["Operation"]["LambdaInvoke"]
        function_arn = str(invoke["FunctionArn"])
        permitted = role.may("lambda:InvokeFunction", function_arn)
        started = time.monotonic()
        results: list[TaskResult] = []

        def one(task: Task) -> None:
            if job.status != "Active" or self._stop.is_set():
                return
            if permitted:
                result = self._task(job, invoke, function_arn, task)
            else:
                message = f"User: {role.arn} is not authorized to perform: lambda:InvokeFunction on {function_arn}"
                result = TaskResult(task, False, 403, "AccessDenied", message)
            with job.lock:
                results.append(result)
                job.succeeded += result.succeeded
                job.failed += not result.succeeded
                job.active_seconds = time.monotonic() - started
                attempted = job.succeeded + job.failed
                if attempted >= FAILURE_THRESHOLD_TASKS and job.failed * 2 > attempted and job.status == "Active":
                    job.failures.append(
                        {
                            "FailureCode": "TaskFailureThresholdExceeded",
                            "FailureReason": "More than half the tasks failed.",
                        }
                    )
                    self._move(job, "Failing")

        with ThreadPoolExecutor(self.workers, thread_name_prefix=f"localaws-job-{job.id[:8]}") as pool:
            for done in [pool.submit(one, task) for task in tasks]:
                done.result()
        job.active_seconds = time.monotonic() - started
        return results

    def _task(self, job: Job, invoke: dict[str, Any], function_arn: str, task: Task) -> TaskResult:
        from moto.awslambda.utils import get_backend

        from ..admission import Throttled

        try:
            fn = get_backend(job.account_id, job.region).get_function(function_arn)
        except Exception:
            return TaskResult(task, False, 404, "ResourceNotFoundException", f"Function not found: {function_arn}")
        version = str(invoke.get("InvocationSchemaVersion") or "1.0")
        for attempt in range(TEMPORARY_TRIES):
            payload = json.dumps(self._event(job, version, invoke, task)).encode()
            pause = 0.05
            while True:
                try:
                    outcome = self.execute(fn, payload)
                    break
                except Throttled:  # Batch Operations slows down and tries again; not a try
                    if self._stop.wait(pause):
                        return TaskResult(task, False, 500, "InternalError", "localaws stopped")
                    pause = min(pause * 2, 2.0)
            if not outcome.ok:
                message = f"Lambda returned function error: {outcome.payload.decode(errors='replace')}"
                return TaskResult(task, False, 200, "PermanentFailure", message)
            code, message = self._answer(outcome.payload)
            if code == "Succeeded":
                return TaskResult(task, True, 200, "", message)
            if code != "TemporaryFailure" or attempt == TEMPORARY_TRIES - 1:
                return TaskResult(task, False, 200, code, message)
            self._stop.wait(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    @staticmethod
    def _event(job: Job, version: str, invoke: dict[str, Any], task: Task) -> dict[str, Any]:
        entry: dict[str, Any] = {"taskId": uuid.uuid4().hex, "s3Key": task.key, "s3VersionId": task.version_id}
        if version == "2.0":
            entry["s3Bucket"] = task.bucket
            job_part: dict[str, Any] = {"id": job.id, "userArguments": invoke.get("UserArguments") or {}}
        else:
            entry["s3BucketArn"] = f"arn:aws:s3:::{task.bucket}"
            job_part = {"id": job.id}
        return {"invocationSchemaVersion": version, "invocationId": uuid.uuid4().hex, "job": job_part, "tasks": [entry]}

    @staticmethod
    def _answer(payload: bytes) -> tuple[str, str]:
        """The task's result code and string from the function's answer."""
        try:
            answer = json.loads(payload)
            results = answer.get("results") or []
        except (ValueError, AttributeError):
            return "PermanentFailure", f"The function's answer is not a Batch Operations response: {payload[:200]!r}"
        if not results:
            return str(answer.get("treatMissingKeysAs") or "PermanentFailure"), "The function's answer has no result"
        first = results[0]
        return str(first.get("resultCode") or "PermanentFailure"), str(first.get("resultString") or "")
