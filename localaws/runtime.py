"""Execute moto's Lambda functions the way Lambda does: warm execution environments, concurrency, throttling.

An invocation is admitted (admission.py: reserved and account concurrency, or ``Throttled``), takes an idle
environment of its function made from the same code and configuration (pool.py, signature.py: a warm start) or
makes one (environment.py: a cold start), runs in it, and gives it back to the pool.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import ceiling, cpu, tmpdisk
from .admission import ACCOUNT_CONCURRENCY, Admission, Slot
from .artifacts import Artifacts
from .chaos import Chaos, Fault
from .environment import LOCAL_RUNTIME, Environment
from .outcome import Outcome, error_body
from .pool import IDLE_SECONDS, Pool
from .sessions import Sessions
from .signature import signature
from .usage import Usage

log = logging.getLogger("localaws")

__all__ = ["ACCOUNT_CONCURRENCY", "IDLE_SECONDS", "LOCAL_RUNTIME", "Runtime"]


def injected(fn: Any, fault: Fault) -> Outcome:
    """An invocation a chaos rule failed before the handler ran (AWS FIS's ``aws:lambda:invocation-error`` with
    ``preventExecution``): the rule's code is the error type, as a function error, so its caller retries it."""
    request_id = str(uuid.uuid4())
    log.info("localaws: %s %s %s (chaos rule, the handler did not run)", fn.function_name, request_id, fault.code)
    return Outcome(request_id, error_body(fault.code, fault.message), fault.code, "", 0.0)


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
        sessions: Sessions | None = None,
        deliver_logs: Callable[[Any, str, str, bool], bool] | None = None,
    ) -> None:
        self.work_dir = work_dir
        self.endpoint_url = endpoint_url
        self.artifacts = Artifacts(work_dir, hot_reload)
        self.admission = Admission(concurrency)
        self.pool = Pool(idle_seconds)
        self._memory = ceiling.find()
        self._cpu = cpu.find(memory_parent=self._memory.parent if self._memory and self._memory.version == 2 else None)
        self.sessions = sessions  # each environment gets a session of its function's role (None: static keys)
        self._deliver_logs = deliver_logs  # Lambda's log delivery, with the role's permission
        self._private_tmp = tmpdisk.at_tmp(work_dir)
        self._warned: set[str] = set()
        self.chaos: Chaos | None = None  # Lambda's chaos rules (chaos.py): a failed or killed invocation
        self.usage = Usage()  # invocations, errors and GB-seconds per function (usage.py)

    @property
    def concurrency(self) -> int:
        """The account's concurrent executions per region."""
        return self.admission.concurrency

    @concurrency.setter
    def concurrency(self, value: int) -> None:
        self.admission.concurrency = value

    @property
    def idle_seconds(self) -> float:
        """How long an idle environment is kept."""
        return self.pool.idle_seconds

    @idle_seconds.setter
    def idle_seconds(self, value: float) -> None:
        self.pool.idle_seconds = value

    def execute(self, fn: Any, payload: bytes) -> Outcome:
        fault = self.chaos.invocation(fn) if self.chaos is not None else None
        if fault is not None and fault.kill_after_ms is None:
            outcome = injected(fn, fault)
            self.usage.record(fn, outcome)
            return outcome
        env, slot = self._acquire(fn)
        try:
            outcome = env.invoke(payload, kill_after_ms=fault.kill_after_ms if fault is not None else None)
        except BaseException:
            env.close()
            raise
        finally:
            self.admission.leave(slot)
            self.pool.give_back(env)
        self.usage.record(fn, outcome)
        log.info(
            "localaws: %s %s %s in %.0f ms",
            fn.function_name,
            outcome.request_id,
            outcome.error_type or "succeeded",
            outcome.duration_ms,
        )
        return outcome

    def _acquire(self, fn: Any) -> tuple[Environment, Slot]:
        task, code_version = self.artifacts.task(fn)
        opt = self.artifacts.opt(fn)
        made_from = signature(fn, code_version, opt)
        slot = self.admission.admit(fn)
        env = self.pool.take(fn, made_from)
        if env is not None:
            return env, slot
        try:
            env = Environment(
                fn,
                signature=made_from,
                task=task,
                opt=opt,
                runtime_dir=self.artifacts.runtime_dir,
                home=self.work_dir / "environments" / f"{fn.function_name}.{uuid.uuid4().hex[:12]}",
                endpoint_url=self.endpoint_url,
                memory=self._memory,
                cpu_quota=self._cpu,
                session=self.sessions.issue(fn) if self.sessions is not None else None,
                deliver_logs=self._deliver_logs,
                private_tmp=self._private_tmp and not tmpdisk.under_tmp(task),  # hot reload from under /tmp
                warning=self._warn_runtime(fn),
            )
        except BaseException:
            self.admission.leave(slot)
            raise
        self.pool.add(env)
        return env, slot

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

    def environments(self, function_arn: str) -> list[Environment]:
        """The function's idle (warm) environments, most recently used last."""
        return self.pool.environments(function_arn)

    def close(self) -> None:
        """Stop every environment and give back what the runtime holds outside its work directory."""
        self.pool.close()
        ceiling.release(self._memory)
        self._memory = None
        cpu.release(self._cpu)
        self._cpu = None
