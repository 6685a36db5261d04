"""Play CloudFront's part towards an origin on localaws: its origin key, and requests signed with it.

Behind an origin access control CloudFront signs each origin request with Signature Version 4 as the service
principal ``cloudfront.amazonaws.com`` (service ``lambda`` for a function URL, ``s3`` for a bucket). localaws hands
out a key per distribution (docs/localaws.md, "CloudFront's origin key"); a harness that models CloudFront's routing
signs with it, so the function URL's resource-based policy and the bucket's policy decide as they do on AWS.

    key = origin_key(endpoint, distribution_id)
    status, headers, body = origin_get(function_url + "thumbnails/256/cat.jpg.webp", key, "lambda")
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OriginKey:
    access_key_id: str
    secret_access_key: str
    source_arn: str  # the distribution's ARN


def origin_key(endpoint: str, distribution_id: str) -> OriginKey:
    """The key CloudFront signs ``distribution_id``'s origin requests with on localaws at ``endpoint``."""
    url = f"{endpoint.rstrip('/')}/_localaws/cloudfront/distributions/{distribution_id}/origin-credentials"
    with urllib.request.urlopen(url, timeout=10) as answer:
        given = json.loads(answer.read())
    return OriginKey(given["AccessKeyId"], given["SecretAccessKey"], given["SourceArn"])


def signed_headers(
    method: str,
    url: str,
    key: OriginKey,
    service: str,
    region: str = "us-east-1",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> dict[str, str]:
    """``headers`` and the SigV4 headers of ``method url`` signed with ``key`` for ``service`` in ``region``."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials(key.access_key_id, key.secret_access_key), service, region).add_auth(request)
    return dict(request.headers)


def origin_get(
    url: str, key: OriginKey, service: str, region: str = "us-east-1", headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of CloudFront's signed GET of ``url`` from an origin."""
    request = urllib.request.Request(url, headers=signed_headers("GET", url, key, service, region, headers))
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
