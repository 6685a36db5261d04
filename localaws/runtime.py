"""Execute moto's Lambda functions the way Lambda does: warm execution environments, concurrency, throttling.

- An invocation takes an idle environment of its function (a warm start: module state and ``/tmp`` kept) or
  makes one (a cold start: environment.py). An environment serves one invocation at a time.
- A code or configuration change (the ZIP, layers, handler, runtime, memory, timeout, ``/tmp`` size, variables,
  logging configuration -- or, with hot reload, any file of the function's directory) retires the environments
  that ran the old one: they never serve again.
- An environment idle for ``idle_seconds`` is stopped, as Lambda reclaims idle ones (Lambda's lifetime is not
  documented; minutes), and so is one whose function was deleted.
- Concurrency: environments busy at once are limited by the function's reserved concurrency, if it has one, else
  by the account's limit less every function's reservation (per account and region, as on Lambda). Beyond it an
  invocation is throttled (``Throttled``): a synchronous invoke answers ``TooManyRequestsException``; an
  asynchronous one is retried later (asyncinvoke.py); an SQS batch comes back after its visibility timeout.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import ceiling, tmpdisk
from .artifacts import Artifacts
from .environment import LOCAL_RUNTIME, Environment, Outcome
from .platformlog import LoggingConfig

log = logging.getLogger("localaws")

ACCOUNT_CONCURRENCY = 1000  # Lambda's default quota of concurrent executions per account and region
IDLE_SECONDS = 300.0


class Throttled(Exception):
    """Beyond the function's reserved concurrency or the account's limit: Lambda's TooManyRequestsException."""

    def __init__(self, reason: str, function_name: str) -> None:
        super().__init__(f"Rate Exceeded. {function_name}: {reason}")
        self.reason = reason


def reserved_concurrency(fn: Any) -> int | None:
    value = getattr(fn, "reserved_concurrency", None)
    return None if value is None or value == "" else int(value)


def current(fn: Any) -> bool:
    """``fn`` is still the function its ARN names (not deleted, not deleted and made again)."""
    from moto.awslambda.utils import get_backend

    try:
        return bool(get_backend(fn.account_id, fn.region).get_function(fn.function_arn) is fn)
    except Exception:  # moto's UnknownFunctionException, or its backend gone
        return False


class Runtime:
    """Executes functions for one local endpoint; keeps their environments warm under ``work_dir``."""

    def __init__(
        self,
        work_dir: Path,
        endpoint_url: str,
        *,
        concurrency: int = ACCOUNT_CONCURRENCY,
        idle_seconds: float = IDLE_SECONDS,
        hot_reload: dict[str, Path] | None = None,
    ) -> None:
        self.work_dir = work_dir
        self.endpoint_url = endpoint_url
        self.concurrency = concurrency
        self.idle_seconds = idle_seconds
        self.artifacts = Artifacts(work_dir, hot_reload)
        self._memory = ceiling.find()
        self._private_tmp = tmpdisk.at_tmp(work_dir)
        self._lock = threading.Lock()
        self._idle: dict[str, list[Environment]] = {}  # by function ARN, most recently used last
        self._busy: dict[tuple[str, ...], int] = {}  # by ("function", arn) or ("account", account, region)
        self._every: set[Environment] = set()
        self._warned: set[str] = set()
        self._stop = threading.Event()
        self._closer = ThreadPoolExecutor(max_workers=8, thread_name_prefix="localaws-close")
        self._reaper = threading.Thread(target=self._reap, name="localaws-reaper", daemon=True)
        self._reaper.start()

    # -- invoking ---------------------------------------------------------------------------------------------

    def execute(self, fn: Any, payload: bytes) -> Outcome:
        env, slot = self._acquire(fn)
        try:
            outcome = env.invoke(payload)
        except BaseException:
            env.close()
            raise
        finally:
            self._release(env, slot)
        log.info(
            "localaws: %s %s %s in %.0f ms",
            fn.function_name,
            outcome.request_id,
            outcome.error_type or "succeeded",
            outcome.duration_ms,
        )
        return outcome

    def _signature(self, fn: Any, code_version: str, opt: Path) -> str:
        """What an environment was made from; a change to any of it retires the environment."""
        return json.dumps(
            [
                code_version,
                opt.name,
                fn.handler,
                fn.run_time,
                fn.memory_size,
                fn.timeout,
                fn.ephemeral_storage,
                sorted((fn.environment_vars or {}).items()),
                LoggingConfig.of(fn).api_shape(),
            ],
            default=str,
        )

    def _acquire(self, fn: Any) -> tuple[Environment, tuple[str, ...]]:
        task, code_version = self.artifacts.task(fn)
        opt = self.artifacts.opt(fn)
        signature = self._signature(fn, code_version, opt)
        with self._lock:
            slot = self._admit(fn)
            kept = self._idle.get(fn.function_arn, [])
            retired = [e for e in kept if e.fn is not fn or e.signature != signature or not e.alive]
            warm = [e for e in kept if e not in retired]
            env = warm.pop() if warm else None
            self._idle[fn.function_arn] = warm
            self._every.difference_update(retired)
        self._retire(retired)
        if env is not None:
            return env, slot
        try:
            env = Environment(
                fn,
                signature=signature,
                task=task,
                opt=opt,
                runtime_dir=self.artifacts.runtime_dir,
                home=self.work_dir / "environments" / f"{fn.function_name}.{uuid.uuid4().hex[:12]}",
                endpoint_url=self.endpoint_url,
                memory=self._memory,
                private_tmp=self._private_tmp and not tmpdisk.under_tmp(task),  # hot reload from under /tmp
                warning=self._warn_runtime(fn),
            )
        except BaseException:
            with self._lock:
                self._busy[slot] -= 1
            raise
        with self._lock:
            self._every.add(env)
        return env, slot

    def _admit(self, fn: Any) -> tuple[str, ...]:
        """Count one more busy environment against the function's reservation or the account's unreserved
        pool, or throttle. Called with the lock held."""
        reserved = reserved_concurrency(fn)
        if reserved is not None:
            slot: tuple[str, ...] = ("function", fn.function_arn)
            limit, reason = reserved, "ReservedFunctionConcurrentInvocationLimitExceeded"
        else:
            from moto.awslambda.utils import get_backend

            functions = get_backend(fn.account_id, fn.region).list_functions()
            slot = ("account", fn.account_id, fn.region)
            limit = self.concurrency - sum(reserved_concurrency(f) or 0 for f in functions)
            reason = "ConcurrentInvocationLimitExceeded"
        if self._busy.get(slot, 0) >= limit:
            raise Throttled(reason, fn.function_name)
        self._busy[slot] = self._busy.get(slot, 0) + 1
        return slot

    def _release(self, env: Environment, slot: tuple[str, ...]) -> None:
        with self._lock:
            self._busy[slot] -= 1
            keep = env.alive and not self._stop.is_set()
            if keep:
                self._idle.setdefault(env.function_arn, []).append(env)
            else:
                self._every.discard(env)
        if not keep:
            self._retire([env])

    def _warn_runtime(self, fn: Any) -> str:
        if fn.run_time == LOCAL_RUNTIME:
            return ""
        message = (
            f"localaws: WARNING: {fn.function_name} is {fn.run_time} but runs here on the local {LOCAL_RUNTIME}; "
            "binary wheels in its layers may not import. Deploy it with runtime "
            f'"{LOCAL_RUNTIME}" and build.layer_target = "host" for local runs.'
        )
        if fn.function_arn not in self._warned:
            self._warned.add(fn.function_arn)
            log.warning(message)
        return message + "\n"

    # -- environments' lifetime ----------------------------------------------------------------------------

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
        """Stop ``environments`` on the closer's threads: nobody waits for a stop (its Runtime API takes up to half
        a second to shut down)."""
        for env in environments:
            self._closer.submit(env.close)

    def close(self) -> None:
        """Stop every environment and give back what the runtime holds outside its work directory."""
        self._stop.set()
        self._reaper.join(timeout=5)
        with self._lock:
            every, self._every, self._idle = list(self._every), set(), {}
        self._retire(every)
        self._closer.shutdown(wait=True)  # all of them stopped, side by side
        ceiling.release(self._memory)
        self._memory = None
