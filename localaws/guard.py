"""A ceiling on localaws' own memory, so a client stuck in a loop cannot take the machine down with it.

A thread reads the process's resident memory once a second; above the ceiling it reports the figure once and
calls ``on_exceeded`` -- the CLI then stops localaws with a message that says why (clients see the endpoint go,
and their loop ends). The functions localaws runs are child processes and are not counted here.
"""

from __future__ import annotations

import logging
import resource
import threading
from collections.abc import Callable

log = logging.getLogger("localaws")
DEFAULT_CEILING_MB = 4096


def status_kb(field: str, pid: int | str = "self") -> int | None:
    """A kB figure from Linux's /proc/<pid>/status (VmRSS, VmHWM, ...); None where there is none."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def resident_mb() -> int:
    """This process's resident memory in MB (Linux's VmRSS; elsewhere the peak, which only overstates it)."""
    rss = status_kb("VmRSS")
    return (rss if rss is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) // 1024


class MemoryGuard:
    def __init__(self, ceiling_mb: int, on_exceeded: Callable[[int], None], interval: float = 1.0) -> None:
        self.ceiling_mb = ceiling_mb
        self._on_exceeded = on_exceeded
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="localaws-memory-guard", daemon=True)

    def start(self) -> MemoryGuard:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(self._interval):
            if (used := resident_mb()) > self.ceiling_mb:
                log.error(
                    "localaws: its memory reached %d MB, above the ceiling of %d MB (--max-memory-mb): stopping "
                    "to protect this machine. A client repeating requests without end is the usual cause; the "
                    "requests before this line say which.",
                    used,
                    self.ceiling_mb,
                )
                self._on_exceeded(used)
                return
