"""The seam between moto and our execution: two functions of moto's are replaced, nothing else.

1. ``moto.awslambda.models.LambdaFunction.invoke`` -- moto calls it for the Invoke API (and would run Docker).
   RequestResponse runs the function now; Event is queued for the asynchronous invoker; DryRun does nothing.
2. ``moto.s3.notifications._invoke_awslambda`` -- moto calls it when an upload matches a bucket notification
   (and would run the function synchronously inside the upload). Here the event is queued, as S3 does.

tests/localaws/test_seam.py pins both signatures against the pinned moto version.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

from moto.awslambda import models as lambda_models
from moto.s3 import notifications as s3_notifications

from .asyncinvoke import AsyncInvoker
from .runtime import Runtime

log = logging.getLogger("localaws")
_ORIGINALS: dict[str, Callable[..., Any]] = {}


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return None


def install(runtime: Runtime, invoker: AsyncInvoker) -> None:
    if _ORIGINALS:
        raise RuntimeError("the localaws seam is already installed")
    _ORIGINALS["invoke"] = lambda_models.LambdaFunction.invoke
    _ORIGINALS["_invoke_awslambda"] = s3_notifications._invoke_awslambda

    def invoke(self: Any, body: str | bytes, request_headers: Any, response_headers: Any) -> bytes:
        payload = body.encode() if isinstance(body, str) else (body or b"{}")
        kind = _header(request_headers, "x-amz-invocation-type") or "RequestResponse"
        if kind == "Event":
            invoker.submit(self, payload)
            return b""
        if kind == "DryRun":
            return b""
        outcome = runtime.execute(self, payload)
        if outcome.error:
            response_headers["x-amz-function-error"] = outcome.error
        if _header(request_headers, "x-amz-log-type") == "Tail":
            tail = outcome.logs.encode()[-4096:]
            response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
        return outcome.payload

    def invoke_from_s3(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        from moto.awslambda.utils import get_backend

        try:
            fn = get_backend(account_id, region_name).get_function(fn_arn)
        except Exception:  # noqa: BLE001 - as S3: a missing function never fails the upload
            log.warning("localaws: S3 notification for %s, which does not exist", fn_arn)
            return
        invoker.submit(fn, json.dumps(event_body).encode())

    lambda_models.LambdaFunction.invoke = invoke  # type: ignore[method-assign]
    s3_notifications._invoke_awslambda = invoke_from_s3


def uninstall() -> None:
    if _ORIGINALS:
        lambda_models.LambdaFunction.invoke = _ORIGINALS.pop("invoke")  # type: ignore[method-assign]
        s3_notifications._invoke_awslambda = _ORIGINALS.pop("_invoke_awslambda")
