"""S3 Batch Operations on localaws: S3 Control's job API, and jobs that invoke a function for every manifest key.

moto answers none of S3 Control's job operations. Seam item 15 (``localaws/seam/s3control.py``) adds them to
moto's S3 Control URL table, so the endpoint serves ``CreateJob``, ``DescribeJob``, ``ListJobs``,
``UpdateJobStatus`` and ``UpdateJobPriority`` for ``LambdaInvoke`` jobs:

- ``api.py``: the operations (moto parses and serialises them by botocore's model of S3 Control);
- ``jobs.py``: a job's life, AWS's states from ``New`` to ``Complete``, ``Cancelled`` or ``Failed``, and its tasks
  invoked through localaws's Lambda runtime with retries of ``TemporaryFailure``;
- ``manifest.py``: CSV and S3 Inventory manifests, their ETag checked;
- ``access.py``: what the job's role may do (assumed by Batch Operations, invoke, read, write);
- ``report.py``: the completion report in AWS's format (``manifest.json`` and result CSVs).
"""

from __future__ import annotations

from .api import JobsResponse

# The paths of the job operations, as botocore's model of S3 Control names them.
PATHS = (
    "/v20180820/jobs",
    "/v20180820/jobs/<job_id>",
    "/v20180820/jobs/<job_id>/status",
    "/v20180820/jobs/<job_id>/priority",
)

__all__ = ["PATHS", "JobsResponse"]
