"""AWS clients: standard credentials, region and ``AWS_ENDPOINT_URL``, as the AWS CLI reads them.

S3 Control puts the account ID in front of the endpoint's host (``123456789012.s3-control.us-east-1...``). Against
an endpoint named by an IP address or ``localhost`` (a local AWS such as localaws) no resolver knows that name, so
the prefix is taken off again before the request is signed; AWS's own endpoints are left as they are.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8})


def _local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass
class Clients:
    session: Any

    @classmethod
    def make(cls, region: str | None = None) -> Clients:
        return cls(boto3.session.Session(region_name=region))

    def __call__(self, service: str) -> Any:
        client = self.session.client(service, config=_CONFIG)
        if service == "s3control":
            strip_account_host(client)
        return client


def strip_account_host(client: Any) -> None:
    """On an endpoint named by an IP address or localhost, S3 Control's requests go to the endpoint itself."""
    endpoint = urlsplit(client.meta.endpoint_url)
    if not _local_host(endpoint.hostname or ""):
        return

    def strip(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        account, _, rest = parts.netloc.partition(".")
        if account.isdigit() and _local_host(rest.rsplit(":", 1)[0]):
            request.url = parts._replace(netloc=rest).geturl()

    client.meta.events.register("before-sign.s3-control", strip)
