"""Pins seam item 9 (localaws/seam/s3_ownership.py) against the pinned moto."""

from __future__ import annotations

import inspect


def test_expected_bucket_owner_is_still_ignored_upstream():
    from moto.s3.responses import S3Response

    for handler in (S3Response._bucket_response, S3Response._key_response):
        assert list(inspect.signature(handler).parameters) == ["self", "request", "full_url"]
    source = inspect.getsource(S3Response._key_response) + inspect.getsource(S3Response._bucket_response)
    assert "expected-bucket-owner" not in source, "moto now checks ExpectedBucketOwner: drop seam item 9"
