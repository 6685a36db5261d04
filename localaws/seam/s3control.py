"""Seam item 15: S3 Control's Batch Operations job operations, which moto does not serve (localaws/batchops)."""

from __future__ import annotations

from typing import Any

from moto.s3control import urls as s3control_urls

from ..batchops import PATHS, JobsResponse
from ..batchops.jobs import Jobs
from ..runtime import Runtime
from . import patch


def serve_batch_operations_jobs(runtime: Runtime) -> None:
    """``moto.s3control.urls.url_paths`` -- extended with ``CreateJob``, ``DescribeJob``, ``ListJobs``,
    ``UpdateJobStatus`` and ``UpdateJobPriority`` (``localaws.batchops``): moto's S3 Control has no jobs, so a
    Batch Operations job answered 404. Its jobs invoke through ``runtime``, as Batch Operations invokes Lambda."""

    def execute(fn: Any, payload: bytes) -> Any:
        return runtime.execute(fn, payload)

    def with_jobs(original: dict[str, Any]) -> dict[str, Any]:
        return {**original, **dict.fromkeys(PATHS, JobsResponse.dispatch)}

    patch.replace(JobsResponse, "jobs", lambda _: Jobs(execute))
    patch.replace(s3control_urls, "url_paths", with_jobs)
