from __future__ import annotations

import io
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from localaws.runtime import LOCAL_RUNTIME
from localaws.server import LocalAWS


def wait_for(condition, what: str, seconds: float = 20) -> None:
    """A readiness check: poll ``condition`` until it holds, failing with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)


def zipped(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buf.getvalue()


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAWS]:
    """An endpoint in this process (the CLI is exercised by tests/e2e); stopped at the end of the module. Its work
    directory is localaws's default, outside /tmp, so functions see their own /tmp at /tmp."""
    with LocalAWS(port=0, retry_delay=0.05) as endpoint:
        yield endpoint


@pytest.fixture
def shared(aws) -> Path:
    """A directory both the test and its functions see (a function's /tmp is its own, not the host's)."""
    directory = aws.work_dir / "shared" / uuid.uuid4().hex
    directory.mkdir(parents=True)
    return directory


@pytest.fixture(scope="module")
def client(aws):
    def make(service: str, config: Config | None = None):
        return boto3.client(
            service,
            endpoint_url=aws.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=config,
        )

    return make


EVERYTHING = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


@pytest.fixture(scope="module")
def role(client) -> str:
    """A role that may do everything: localaws authorises a function's calls by its role (tests/localaws/
    test_enforce.py proves the limits). moto's backends live as long as the process: one role per test module."""
    name = f"fn-{uuid.uuid4().hex[:8]}"
    arn = client("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client("iam").put_role_policy(RoleName=name, PolicyName="everything", PolicyDocument=EVERYTHING)
    return arn


@pytest.fixture(scope="module")
def deploy(client, role):
    lam = client("lambda")

    def make(
        name: str,
        code: str,
        *,
        layers: list[str] = (),
        timeout: int = 10,
        runtime: str = LOCAL_RUNTIME,
        env: dict[str, str] | None = None,
        handler: str = "index.handler",
        memory: int = 256,
        **more: object,
    ) -> str:
        return lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler=handler,
            Timeout=timeout,
            MemorySize=memory,
            Code={"ZipFile": zipped({handler.split(".")[0] + ".py": code})},
            Layers=list(layers),
            Environment={"Variables": env or {}},
            **more,
        )["FunctionArn"]

    return make
