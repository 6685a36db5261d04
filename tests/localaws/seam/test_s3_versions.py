"""Pins seam items 11 and 12 (localaws/seam/s3_versions.py) against the pinned moto."""

from __future__ import annotations

import inspect


def test_a_delete_marker_still_sends_no_notification_upstream():
    from moto.s3.models import S3Backend

    assert list(inspect.signature(S3Backend.delete_object).parameters) == [
        "self", "bucket_name", "key_name", "version_id", "bypass"
    ]  # fmt: skip
    source = inspect.getsource(S3Backend.delete_object)
    assert "DELETE_MARKER_CREATED" not in source, "moto now notifies delete markers: drop seam item 11"


def test_a_delete_marker_still_cannot_be_disposed_of_upstream():
    from moto.s3.models import FakeDeleteMarker
    from moto.s3.utils import _VersionedKeyStore

    assert "version.dispose()" in inspect.getsource(_VersionedKeyStore.pop), "seam item 12 mirrors this loop"
    assert not hasattr(FakeDeleteMarker, "dispose"), "moto's delete markers can be disposed of now: drop seam item 12"
