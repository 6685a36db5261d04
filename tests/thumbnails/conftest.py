"""The thumbnails command against an in-process localaws: a function "deployed" by hand with the environment and
tags the module sets, and buckets of the test's making."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from localaws.server import LocalAWS
from tests.localaws.conftest import zipped


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAWS]:
    with LocalAWS(port=0, retry_delay=0.05) as endpoint:
        yield endpoint


@pytest.fixture
def client(aws, monkeypatch):
    """boto3 clients on the endpoint; the command (in this process) finds it through the environment."""
    for name, value in {
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)

    def make(service: str) -> Any:
        return boto3.client(service, endpoint_url=aws.endpoint_url, region_name="us-east-1")

    return make


@pytest.fixture
def deployed(client):
    """A function with the module's environment (and, with ``role``, its Batch Operations tags); its buckets."""

    def make(
        *, role: bool = True, sizes: str = "256", formats: str = "", suffixes: str = ".jpg,.png", on_demand: str = ""
    ) -> dict[str, str]:
        name = f"thumbs-{uuid.uuid4().hex[:8]}"
        source, destination = f"{name}-src", f"{name}-dst"
        for bucket in (source, destination):
            client("s3").create_bucket(Bucket=bucket)
        iam_role = client("iam").create_role(RoleName=f"{name}-fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        tags = {}
        if role:
            tags = {
                "thumbnails:batch-operations-role": f"arn:aws:iam::123456789012:role/{name}-batch",
                "thumbnails:batch-operations-location": f"s3://{destination}/batch-operations/",
            }
        client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=iam_role,
            Handler="index.handler",
            Code={"ZipFile": zipped({"index.py": "def handler(event, context):\n    return {}\n"})},
            Environment={
                "Variables": {
                    "SOURCE_BUCKET": source,
                    "SOURCE_PREFIX": "uploads/",
                    "SOURCE_SUFFIXES": suffixes,
                    "DESTINATION_BUCKET": destination,
                    "DESTINATION_PREFIX": "thumbnails/",
                    "THUMBNAIL_SIZES": sizes,
                    "OUTPUT_FORMATS": formats,
                    **({"ON_DEMAND_PRESETS": on_demand, "ON_DEMAND_FORMATS": "avif,webp"} if on_demand else {}),
                }
            },
            Tags=tags,
        )
        return {"name": name, "source": source, "destination": destination}

    return make
