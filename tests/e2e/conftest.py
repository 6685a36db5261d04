"""A fresh ``localaws`` (the real command) for the session, and the complete example applied on it."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import tftest

from devkit.stack import local_stack
from devkit.terraform import environment as terraform_environment

LOCALAWS = Path(sys.executable).with_name("localaws")


def wait_for(check: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy (a readiness check, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory) -> Iterator[str]:
    assert LOCALAWS.is_file(), f"{LOCALAWS} is missing: run `make setup` (pip install -e . provides localaws)"
    log = tmp_path_factory.mktemp("localaws") / "localaws.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([str(LOCALAWS), "--port", "0", "--retry-delay", "0.2"],
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        assert line.startswith("localaws ready: "), f"localaws did not start: {line!r}; see {log}"
        try:
            yield line.split(": ", 1)[1].strip()
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0, f"localaws did not stop cleanly; see {log}"


@pytest.fixture(scope="session")
def client(endpoint) -> Callable[[str], Any]:
    def make(service: str) -> Any:
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="localaws", aws_secret_access_key="localaws")

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
    directory = local_stack(workspace, endpoint)
    tf = tftest.TerraformTest(str(directory), env={**os.environ, **terraform_environment()})
    tf.setup(cleanup_on_exit=False)
    tf.apply()
    outputs = {name: value for name, value in tf.output().items()}
    yield Stack(tf, workspace, directory, outputs)
    tf.destroy()  # a no-op when test_destroy_leaves_nothing already did it
