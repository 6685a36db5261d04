"""A fresh ``localaws`` (the real command) for the session, and the complete example applied on it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tftest

from devkit.endpoint import client as endpoint_client
from devkit.endpoint import localaws
from devkit.stack import local_terraform
from localaws.server import default_work_root


@pytest.fixture(scope="session")
def localaws_dir() -> Iterator[Path]:
    """localaws's work directory, outside /tmp (functions see their own /tmp at /tmp): its execution environments
    are under environments/<function>.<id>/."""
    directory = Path(tempfile.mkdtemp(prefix="localaws-e2e-", dir=default_work_root()))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def endpoint(localaws_dir, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("localaws") / "localaws.log"  # kept with pytest's temporary files
    with localaws(log, "--retry-delay", "0.2", "--work-dir", str(localaws_dir)) as url:
        yield url


@pytest.fixture(scope="session")
def client(endpoint) -> Callable[[str], Any]:
    return lambda service: endpoint_client(endpoint, service)


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
