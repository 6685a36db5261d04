"""Seam item 23: localaws's own paths, ``/_localaws/...``, on the endpoint beside moto's API.

- ``GET /_localaws/cloudfront/distributions/{Id}/origin-credentials`` -- the key CloudFront signs the distribution's
  origin requests with (callers.py): ``{"AccessKeyId", "SecretAccessKey", "SourceArn", "Account"}``. Whatever
  plays CloudFront's part locally signs a function URL request with it, as CloudFront does behind a ``lambda``
  origin access control; the function URL then sees the principal ``cloudfront.amazonaws.com`` with that
  distribution's ARN as ``aws:SourceArn``. 404 for a distribution that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from ..callers import Origins
from . import patch

PREFIX = "/_localaws/"
_ORIGIN_CREDENTIALS = re.compile(r"^/_localaws/cloudfront/distributions/([A-Za-z0-9]+)/origin-credentials$")


def _distribution_arn(distribution_id: str) -> str | None:
    from moto.cloudfront.models import cloudfront_backends

    for by_partition in list(cloudfront_backends.values()):
        for backend in list(by_partition.values()):
            found = backend.distributions.get(distribution_id)
            if found is not None:
                return str(found.arn)
    return None


def answer(method: str, path: str, origins: Origins) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) of a ``/_localaws/`` request."""
    found = _ORIGIN_CREDENTIALS.match(path)
    if found and method == "GET":
        arn = _distribution_arn(found.group(1))
        if arn is None:
            return 404, {"Message": f"no distribution {found.group(1)}"}
        key, secret = origins.issue(arn)
        return 200, {"AccessKeyId": key, "SecretAccessKey": secret, "SourceArn": arn, "Account": arn.split(":")[4]}
    return 404, {"Message": f"localaws serves no {method} {path}"}


def serve_localaws_paths(origins: Origins) -> None:
    """``moto.moto_server.werkzeug_app.DomainDispatcherApplication.__call__`` -- the server's entry for every
    request; a path under ``/_localaws/`` is answered here, every other goes to moto as before."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(self: Any, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if not path.startswith(PREFIX):
                return original(self, environ, start_response)
            status, body = answer(environ.get("REQUEST_METHOD", "GET"), path, origins)
            data = json.dumps(body).encode()
            reason = {200: "OK", 404: "Not Found"}.get(status, "")
            start_response(
                f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
            )
            return [data]

        return call

    patch.replace(DomainDispatcherApplication, "__call__", wrap)
