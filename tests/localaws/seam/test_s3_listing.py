"""Pins seam item 8 (localaws/seam/s3_listing.py) against the pinned moto."""

from __future__ import annotations

import inspect


def test_object_versions_listing_still_ignores_encoding_type_upstream():
    from moto.s3.responses import S3Response

    source = inspect.getsource(S3Response.list_object_versions)
    assert "encoding" not in source, "moto now honours encoding-type in ListObjectVersions: drop seam item 8"
    assert "self.serialized(ActionResult(result))" in source, "seam item 8 wraps this call: move it with moto"
