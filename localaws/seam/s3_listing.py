"""Seam item 8: ListObjectVersions honours ``encoding-type=url``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from moto.s3 import responses as s3_responses

from . import patch


def url_encode_listing(result: dict[str, Any]) -> None:
    """Encode a ListObjectVersions result the way S3 does for ``encoding-type=url`` (in place)."""
    for name in ("Prefix", "KeyMarker", "NextKeyMarker", "Delimiter"):
        if result.get(name):
            result[name] = quote(result[name])
    for entry in [*result.get("Versions", []), *result.get("DeleteMarkers", [])]:
        entry["Key"] = quote(entry["Key"])
    for common in result.get("CommonPrefixes", []):
        common["Prefix"] = quote(common["Prefix"])
    result["EncodingType"] = "url"


def url_encode_object_versions() -> None:
    """``moto.s3.responses.S3Response.list_object_versions`` -- wrapped so ``encoding-type=url`` is honoured, as
    ListObjects(V2) already is in moto: keys, prefixes and markers URL-encoded and ``EncodingType`` in the answer.
    Without it, a client that decodes keys (the Go SDK emptying a bucket for ``terraform destroy``) reads
    ``a+b.jpg`` as ``a b.jpg``, deletes a key that does not exist, and lists again, forever."""

    def encoding(original: Callable[..., Any]) -> Callable[..., Any]:
        def list_object_versions(self: Any) -> Any:
            if self.querystring.get("encoding-type", [None])[0] == "url":
                serialize = self.serialized  # one response object per request: this changes only this answer

                def serialized(action_result: Any) -> Any:
                    url_encode_listing(action_result.result)
                    return serialize(action_result)

                self.serialized = serialized
            return original(self)

        return list_object_versions

    patch.replace(s3_responses.S3Response, "list_object_versions", encoding)
