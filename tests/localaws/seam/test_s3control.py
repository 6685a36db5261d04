"""Pins seam item 15 (localaws/seam/s3control.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.core.base_backend import BaseBackend
from moto.s3control import models as s3control_models
from moto.s3control import responses as s3control_responses
from moto.s3control import urls as s3control_urls

OPERATIONS = ("create_job", "describe_job", "list_jobs", "update_job_status", "update_job_priority")


def test_moto_runs_no_batch_operations_jobs():
    """When moto answers CreateJob itself, this fails: compare its jobs with localaws/batchops and keep only what it
    lacks (running the tasks through localaws's runtime, the report)."""
    for operation in OPERATIONS:
        assert not hasattr(s3control_models.S3ControlBackend, operation), operation
        assert not hasattr(s3control_responses.S3ControlResponse, operation), operation
    assert not [path for path in s3control_urls.url_paths if "/jobs" in path]


def test_moto_reads_the_url_table_when_it_makes_the_app():
    """The server builds S3 Control's routes from ``urls.url_paths`` (read through the backend's ``url_paths``)."""
    backend = s3control_models.s3control_backends["123456789012"]["aws"]
    assert backend._url_module is s3control_urls
    assert "self._url_module.url_paths" in inspect.getsource(BaseBackend.url_paths.fget)  # read on each use
