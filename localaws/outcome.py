"""One invocation's result, as its caller (Invoke, the asynchronous invoker, the SQS poller) sees it."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """One invocation, as its caller sees it."""

    request_id: str
    payload: bytes  # the handler's JSON result, or Lambda's error object
    error_type: str | None  # None: success; else the errorType (ValueError, Sandbox.Timedout, ...)
    logs: str  # the lines written to the log stream
    duration_ms: float

    @property
    def error(self) -> str | None:
        """Lambda's FunctionError: "Unhandled" whatever the errorType, None on success."""
        return "Unhandled" if self.error_type else None

    @property
    def ok(self) -> bool:
        return self.error_type is None


def error_body(error_type: str, message: str) -> bytes:
    """Lambda's error object for an error the platform reports (a timeout, a runtime that exited...)."""
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()
