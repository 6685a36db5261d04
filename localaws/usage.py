"""What each function's invocations came to, as Lambda's own metrics count them (Invocations, Errors by type,
Duration) and as it bills them (GB-seconds: duration times memory): for a soak to add up what faults cost."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .outcome import Outcome


@dataclass
class FunctionUsage:
    invocations: int = 0
    errors: Counter[str] = field(default_factory=Counter)  # by errorType
    gb_seconds: float = 0.0
    failed_gb_seconds: float = 0.0  # spent in invocations that failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "invocations": self.invocations,
            "errors": dict(self.errors),
            "gb_seconds": round(self.gb_seconds, 3),
            "failed_gb_seconds": round(self.failed_gb_seconds, 3),
        }


class Usage:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[str, FunctionUsage] = {}

    def record(self, fn: Any, outcome: Outcome) -> None:
        gb_seconds = outcome.duration_ms / 1000 * int(fn.memory_size or 128) / 1024
        with self._lock:
            usage = self._functions.setdefault(fn.function_name, FunctionUsage())
            usage.invocations += 1
            usage.gb_seconds += gb_seconds
            if outcome.error_type is not None:
                usage.errors[outcome.error_type] += 1
                usage.failed_gb_seconds += gb_seconds

    def of(self, function_name: str) -> FunctionUsage:
        with self._lock:
            usage = self._functions.get(function_name, FunctionUsage())
            return FunctionUsage(usage.invocations, Counter(usage.errors), usage.gb_seconds, usage.failed_gb_seconds)
