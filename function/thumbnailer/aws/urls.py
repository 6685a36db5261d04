"""A function URL's request (payload format 2.0) in, its response out: the on-demand path's only HTTP.

The request is CloudFront's, after the viewer-request function rewrote it: ``rawPath`` is the variant's stored
key, and two headers the function set come along (the origin request policy forwards them): the signature of a
signed size and the path the viewer asked for, where a redirect sends it back.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from ..errors import UnsupportedEvent

SIGNATURE_HEADER = "x-thumbnail-signature"
VIEWER_PATH_HEADER = "x-thumbnail-viewer-path"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # percent-encoded, as sent
    signature: str
    viewer_path: str


class HttpResponse(TypedDict):
    statusCode: int
    headers: dict[str, str]
    body: str
    isBase64Encoded: bool


def is_url_event(event: Any) -> bool:
    return isinstance(event, Mapping) and event.get("version") == "2.0" and "rawPath" in event


def parse_request(event: Any) -> Request:
    if not is_url_event(event):
        raise UnsupportedEvent("expected a function URL request (payload format 2.0, with rawPath)")
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    method = str(event.get("requestContext", {}).get("http", {}).get("method", "GET")).upper()
    return Request(
        method, str(event["rawPath"]), headers.get(SIGNATURE_HEADER, ""), headers.get(VIEWER_PATH_HEADER, "")
    )


def http_response(status: int, body: bytes, headers: Mapping[str, str], head: bool = False) -> HttpResponse:
    return {
        "statusCode": status,
        "headers": dict(headers),
        "body": "" if head else base64.b64encode(body).decode(),
        "isBase64Encoded": not head,
    }
