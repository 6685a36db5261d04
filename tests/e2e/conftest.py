"""A fresh ``localaws`` (the real command) for the session, and the complete example applied on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import tftest

from devkit.endpoint import localaws
from devkit.stack import local_terraform


@pytest.fixture(scope="session")
def localaws_dir(tmp_path_factory) -> Path:
    """localaws's work directory: its execution environments are under environments/<function>.<id>/."""
    return tmp_path_factory.mktemp("localaws")


@pytest.fixture(scope="session")
def endpoint(localaws_dir) -> Iterator[str]:
    work = localaws_dir / "work"
    with localaws(localaws_dir / "localaws.log", "--retry-delay", "0.2", "--work-dir", str(work)) as url:
        yield url


@pytest.fixture(scope="session")
def client(endpoint) -> Callable[[str], Any]:
    def make(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="localaws",
            aws_secret_access_key="localaws",
        )

    return make


@dataclass
class Stack:
    tf: tftest.TerraformTest
    workspace: Path  # the copied module: edit its function/ to change the function
    directory: Path  # examples/complete inside it
    outputs: dict[str, Any]


@pytest.fixture(scope="session")
def stack(endpoint, tmp_path_factory) -> Iterator[Stack]:
    workspace = tmp_path_factory.mktemp("module")
    tf = local_terraform(workspace, endpoint)
    directory = Path(tf.tfdir)
    tf.apply()
    outputs = {name: value for name, value in tf.output().items()}
    yield Stack(tf, workspace, directory, outputs)
    tf.destroy()  # a no-op when test_destroy_leaves_nothing already did it
