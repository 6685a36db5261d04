"""Admission: how many environments may be busy at once, and the throttle beyond it, as on Lambda.

Environments busy at once are limited by the function's reserved concurrency, if it has one, else by the
account's limit less every function's reservation (per account and region, as on Lambda). Beyond it an invocation
is throttled (``Throttled``): a synchronous invoke answers ``TooManyRequestsException``; an asynchronous one is
retried later (asyncinvoke.py); an SQS batch comes back after its visibility timeout.
"""

from __future__ import annotations

import threading
from typing import Any

ACCOUNT_CONCURRENCY = 1000  # Lambda's default quota of concurrent executions per account and region

Slot = tuple[str, ...]  # ("function", arn) or ("account", account, region): what a busy environment counts against


class Throttled(Exception):
    """Beyond the function's reserved concurrency or the account's limit: Lambda's TooManyRequestsException."""

    def __init__(self, reason: str, function_name: str) -> None:
        super().__init__(f"Rate Exceeded. {function_name}: {reason}")
        self.reason = reason


def reserved_concurrency(fn: Any) -> int | None:
    value = getattr(fn, "reserved_concurrency", None)
    return None if value is None or value == "" else int(value)


class Admission:
    """Counts busy environments per function reservation and per account's unreserved pool."""

    def __init__(self, concurrency: int = ACCOUNT_CONCURRENCY) -> None:
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._busy: dict[Slot, int] = {}

    def admit(self, fn: Any) -> Slot:
        """Count one more busy environment against the function's reservation or the account's unreserved pool,
        or throttle."""
        reserved = reserved_concurrency(fn)
        if reserved is not None:
            slot: Slot = ("function", fn.function_arn)
            limit, reason = reserved, "ReservedFunctionConcurrentInvocationLimitExceeded"
        else:
            from moto.awslambda.utils import get_backend

            functions = get_backend(fn.account_id, fn.region).list_functions()
            slot = ("account", fn.account_id, fn.region)
            limit = self.concurrency - sum(reserved_concurrency(f) or 0 for f in functions)
            reason = "ConcurrentInvocationLimitExceeded"
        with self._lock:
            if self._busy.get(slot, 0) >= limit:
                raise Throttled(reason, fn.function_name)
            self._busy[slot] = self._busy.get(slot, 0) + 1
        return slot

    def leave(self, slot: Slot) -> None:
        """One environment counted against ``slot`` is no longer busy."""
        with self._lock:
            self._busy[slot] -= 1
