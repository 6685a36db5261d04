"""Pins seam item 26 (localaws/seam/s3_keys.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.s3 import exceptions as s3_exceptions
from moto.s3 import models as s3_models


def test_moto_still_stores_keys_of_any_length():
    assert not hasattr(s3_exceptions, "KeyTooLong") and "KeyTooLong" not in inspect.getsource(s3_exceptions), (
        "moto refuses long keys now: drop seam item 26"
    )
    backend = s3_models.S3Backend
    assert list(inspect.signature(backend.put_object).parameters)[:3] == ["self", "bucket_name", "key_name"]
    assert list(inspect.signature(backend.copy_object).parameters)[:4] == [
        "self", "src_key", "dest_bucket_name", "dest_key_name"
    ]  # fmt: skip
    assert list(inspect.signature(backend.create_multipart_upload).parameters)[:3] == [
        "self", "bucket_name", "key_name"
    ]  # fmt: skip
