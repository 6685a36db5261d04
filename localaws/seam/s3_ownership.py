"""Seam item 9: ``x-amz-expected-bucket-owner`` checked, as S3 does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.s3 import exceptions as s3_exceptions
from moto.s3 import responses as s3_responses

from . import patch
from .http import header


def owner_checked(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` (an S3Response handler) preceded by S3's ExpectedBucketOwner check."""

    def checked(self: Any, request: Any, full_url: str) -> Any:
        expected = header(request.headers, "x-amz-expected-bucket-owner")
        if expected and self.bucket_name:
            try:
                bucket = self.backend.get_bucket(self.bucket_name)
            except s3_exceptions.MissingBucket:
                bucket = None  # the call itself answers NoSuchBucket
            if bucket is not None and bucket.account_id != expected:
                raise s3_exceptions.S3AccessDeniedError()
        return original(self, request, full_url)

    return checked


def check_expected_bucket_owner() -> None:
    """``moto.s3.responses.S3Response._bucket_response`` and ``._key_response`` -- wrapped so
    ``x-amz-expected-bucket-owner`` is checked, as S3 does: a bucket owned by another account answers 403
    AccessDenied (moto ignores the header)."""
    patch.replace(s3_responses.S3Response, "_bucket_response", owner_checked)
    patch.replace(s3_responses.S3Response, "_key_response", owner_checked)
