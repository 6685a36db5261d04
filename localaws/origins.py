"""Origin keys of CloudFront distributions: the credentials CloudFront signs a distribution's origin requests with.

Behind an origin access control, CloudFront signs its requests to the origin (S3, a Lambda function URL) as the
service principal ``cloudfront.amazonaws.com``, for one distribution. localaws issues one key per distribution on
request (``GET /_localaws/cloudfront/distributions/ID/origin-credentials``, seam/control.py) to whatever plays
CloudFront's part locally; a request signed with it is that principal, with the distribution's ARN as
``aws:SourceArn`` (callers.py for function URLs, enforce.py for S3).
"""

from __future__ import annotations

import secrets
import threading

CLOUDFRONT = "cloudfront.amazonaws.com"


class Origins:
    """Origin keys of CloudFront distributions: one per distribution ARN, issued on request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_arn: dict[str, tuple[str, str]] = {}
        self._by_key: dict[str, str] = {}

    def issue(self, distribution_arn: str) -> tuple[str, str]:
        """(access key ID, secret access key) CloudFront signs the distribution's origin requests with."""
        with self._lock:
            if distribution_arn not in self._by_arn:
                key = "ASIACF" + secrets.token_hex(7).upper()
                self._by_arn[distribution_arn] = (key, secrets.token_urlsafe(30))
                self._by_key[key] = distribution_arn
            return self._by_arn[distribution_arn]

    def find(self, access_key_id: str) -> tuple[str, str] | None:
        """(distribution ARN, secret) of an origin key, or None."""
        with self._lock:
            arn = self._by_key.get(access_key_id)
            return (arn, self._by_arn[arn][1]) if arn else None
