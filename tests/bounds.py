"""Time bounds derived from the work a test's code does, measured on this machine as it is now, never a constant
that holds only on a quiet machine: a loaded machine measures slower and gets a longer bound."""

from __future__ import annotations

import math
import subprocess
import sys
import time


def seconds_for(code: str, margin: float = 20, floor: int = 10) -> int:
    """A bound for running ``code`` in a fresh interpreter (what a function's cold start does): its time here, now,
    times ``margin``, and at least ``floor`` seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return max(floor, math.ceil(margin * (time.perf_counter() - started)))
