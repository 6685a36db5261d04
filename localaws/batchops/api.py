"""S3 Control's job operations, answered from ``jobs.Jobs``.

moto parses each request and serialises each answer by botocore's model of S3 Control (``ActionResult``), so the
shapes are AWS's; this module only maps them onto the jobs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.s3control.responses import S3ControlResponse

from .jobs import JobError, Jobs


class S3ControlJobError(ServiceException):
    """Serialised by moto with the HTTP status botocore's model gives the code (NotFoundException: 404)."""

    def __init__(self, error: JobError) -> None:
        super().__init__(error.code, str(error))


class JobsResponse(S3ControlResponse):
    jobs: ClassVar[Jobs | None] = None

    @property
    def _jobs(self) -> Jobs:
        assert self.jobs is not None, "seam item 15 (localaws.seam.s3control) installs the jobs"
        return self.jobs

    def _call(self, work: Any) -> ActionResult:
        try:
            return ActionResult(work())
        except JobError as error:
            raise S3ControlJobError(error) from None

    def create_job(self) -> ActionResult:
        spec = {name: self._get_param(name) for name in self._param_names()}
        account = self._get_param("AccountId")
        return self._call(lambda: {"JobId": self._jobs.create(account, self.region, spec).id})

    def describe_job(self) -> ActionResult:
        account, job_id = self._get_param("AccountId"), self._get_param("JobId")
        return self._call(lambda: {"Job": self._jobs.get(account, job_id).describe()})

    def list_jobs(self) -> ActionResult:
        account, statuses = self._get_param("AccountId"), self._get_param("JobStatuses")
        return self._call(lambda: {"Jobs": [job.listed() for job in self._jobs.listed(account, statuses)]})

    def update_job_status(self) -> ActionResult:
        account, job_id = self._get_param("AccountId"), self._get_param("JobId")
        requested, reason = self._get_param("RequestedJobStatus"), self._get_param("StatusUpdateReason")

        def update() -> dict[str, Any]:
            job = self._jobs.update_status(account, job_id, requested, reason)
            answer = {"JobId": job.id, "Status": job.status}
            return answer | ({"StatusUpdateReason": job.status_reason} if job.status_reason else {})

        return self._call(update)

    def update_job_priority(self) -> ActionResult:
        account, job_id, priority = (self._get_param(n) for n in ("AccountId", "JobId", "Priority"))

        def update() -> dict[str, Any]:
            return {"JobId": job_id, "Priority": self._jobs.update_priority(account, job_id, int(priority)).priority}

        return self._call(update)

    @staticmethod
    def _param_names() -> tuple[str, ...]:
        return (
            "ConfirmationRequired",
            "Operation",
            "Report",
            "ClientRequestToken",
            "Manifest",
            "Description",
            "Priority",
            "RoleArn",
            "Tags",
        )
