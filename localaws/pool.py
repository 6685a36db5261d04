"""The warm environments: kept idle between invocations, retired and reaped.

- An invocation takes an idle environment of its function whose signature (signature.py) is current: a warm
  start, module state and ``/tmp`` kept. One that ran an older signature, or whose process ended, is retired.
- An environment idle for ``idle_seconds`` is stopped, as Lambda reclaims idle ones (Lambda's lifetime is not
  documented; minutes), and so is one whose function was deleted.
- Stops happen on a few threads of the pool's own, so no invocation waits for one (an environment's Runtime API
  takes up to half a second to shut down), and a final ``close`` takes as long as the slowest.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .environment import Environment

log = logging.getLogger("localaws")

IDLE_SECONDS = 300.0


def current(fn: Any) -> bool:
    """``fn`` is still the function its ARN names (not deleted, not deleted and made again)."""
    from moto.awslambda.utils import get_backend

    try:
        return bool(get_backend(fn.account_id, fn.region).get_function(fn.function_arn) is fn)
    except Exception:  # moto's UnknownFunctionException, or its backend gone
        return False


class Pool:
    """Every environment of one endpoint, the idle ones by function ARN; reaps the idle ones in a thread."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._idle: dict[str, list[Environment]] = {}  # by function ARN, most recently used last
        self._every: set[Environment] = set()
        self._stop = threading.Event()
        self._closer = ThreadPoolExecutor(max_workers=8, thread_name_prefix="localaws-close")
        self._reaper = threading.Thread(target=self._reap, name="localaws-reaper", daemon=True)
        self._reaper.start()

    def take(self, fn: Any, signature: str) -> Environment | None:
        """An idle environment of ``fn`` made from ``signature``, most recently used first; None: a cold start.
        The function's idle environments that can no longer serve are retired."""
        with self._lock:
            kept = self._idle.get(fn.function_arn, [])
            retired = [e for e in kept if e.fn is not fn or e.signature != signature or not e.alive]
            warm = [e for e in kept if e not in retired]
            env = warm.pop() if warm else None
            self._idle[fn.function_arn] = warm
            self._every.difference_update(retired)
        self._retire(retired)
        return env

    def add(self, env: Environment) -> None:
        """A new environment (busy: it is given back after its first invocation)."""
        with self._lock:
            self._every.add(env)

    def give_back(self, env: Environment) -> None:
        """``env`` finished an invocation: kept idle if it can serve again, else stopped."""
        with self._lock:
            keep = env.alive and not self._stop.is_set()
            if keep:
                self._idle.setdefault(env.function_arn, []).append(env)
            else:
                self._every.discard(env)
        if not keep:
            self._retire([env])

    def environments(self, function_arn: str) -> list[Environment]:
        """The function's idle (warm) environments, most recently used last."""
        with self._lock:
            return list(self._idle.get(function_arn, []))

    def _reap(self) -> None:
        while not self._stop.wait(min(1.0, self.idle_seconds / 4)):
            now = time.monotonic()
            with self._lock:
                stale = [
                    e
                    for kept in self._idle.values()
                    for e in kept
                    if now - e.last_used > self.idle_seconds or not current(e.fn)
                ]
                for kept in self._idle.values():
                    kept[:] = [e for e in kept if e not in stale]
                self._every.difference_update(stale)
            for env in stale:
                log.info("localaws: %s: an idle environment is stopped", env.function_name)
            self._retire(stale)

    def _retire(self, environments: list[Environment]) -> None:
        """Stop ``environments`` on the closer's threads: nobody waits for a stop."""
        for env in environments:
            self._closer.submit(env.close)

    def close(self) -> None:
        """Stop every environment, side by side, and wait for them."""
        self._stop.set()
        self._reaper.join(timeout=5)
        with self._lock:
            every, self._every, self._idle = list(self._every), set(), {}
        self._retire(every)
        self._closer.shutdown(wait=True)
