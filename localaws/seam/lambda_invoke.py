"""Seam item 1: Lambda's Invoke API runs the function here, not in Docker."""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.awslambda import exceptions as lambda_exceptions
from moto.awslambda import models as lambda_models

from ..admission import Throttled
from ..asyncinvoke import AsyncInvoker
from ..runtime import Runtime
from . import patch
from .http import header


class TooManyRequests(lambda_exceptions.LambdaClientError):
    """Lambda's answer to a throttled synchronous invoke: ``TooManyRequestsException``, HTTP 429, the ``Reason``."""

    code = 429

    def __init__(self, reason: str) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")
        self.description = json.dumps(
            {"__type": "TooManyRequestsException", "message": "Rate Exceeded.", "Reason": reason, "Type": "User"}
        )


def run_invocations_here(runtime: Runtime, invoker: AsyncInvoker) -> None:
    """``moto.awslambda.models.LambdaFunction.invoke`` -- moto calls it for the Invoke API (and would run Docker).
    RequestResponse runs the function now; Event is queued for the asynchronous invoker; DryRun does nothing."""

    def invoke(self: Any, body: str | bytes, request_headers: Any, response_headers: Any) -> bytes:
        payload = body.encode() if isinstance(body, str) else (body or b"{}")
        kind = header(request_headers, "x-amz-invocation-type") or "RequestResponse"
        if kind == "Event":
            invoker.submit(self, payload)
            return b""
        if kind == "DryRun":
            return b""
        try:
            outcome = runtime.execute(self, payload)
        except Throttled as throttled:
            raise TooManyRequests(throttled.reason) from None
        if outcome.error:
            response_headers["x-amz-function-error"] = outcome.error
        if header(request_headers, "x-amz-log-type") == "Tail":
            tail = outcome.logs.encode()[-4096:]
            response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
        return outcome.payload

    patch.replace(lambda_models.LambdaFunction, "invoke", lambda _original: invoke)
