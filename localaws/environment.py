"""One execution environment: a runtime process that serves invocation after invocation, as on Lambda.

It is made on a cold start and kept warm by runtime.py: its module state (cached clients, settings) and its
``/tmp`` survive from one invocation to the next. It has

- its own Runtime API (runtimeapi.py) and a process running bootstrap.py -> awslambdaric with Lambda's
  environment variables and ``AWS_ENDPOINT_URL`` pointing back to localaws (variables.py);
- the process's output, cut into one segment per invocation (output.py);
- its ``/tmp``, limited to ``ephemeral_storage`` and seen at ``/tmp`` (tmpdisk.py), and its memory, limited to
  ``memory_size`` (ceiling.py), and its CPU, ``memory_size / 1769`` cores (cpu.py), where this machine allows;
- the credentials of a session of the function's execution role (sessions.py), as Lambda gives them;
- one log stream, as on Lambda: every invocation's output between the platform's lines (platformlog.py).

An invocation that times out, runs out of memory or ends the process ends the environment too; the next
invocation is a cold start, as on Lambda.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from . import ceiling, cpu, platformlog
from .artifacts import BOOTSTRAP, PYTHON
from .guard import status_kb
from .outcome import Outcome, error_body
from .output import ProcessOutput
from .runtimeapi import Invocation, RuntimeAPI
from .sessions import Session
from .tmpdisk import TmpDisk, enter_at_tmp
from .variables import lambda_variables

log = logging.getLogger("localaws")

LOCAL_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
INIT_LIMIT = 10.0  # seconds Lambda allows an on-demand init phase


def _prepare(groups: tuple[Path, ...], tmp: bytes | None) -> None:
    """In the runtime process between fork and exec: its memory and CPU cgroups, and its /tmp at /tmp."""
    for group in groups:
        ceiling.enter(group)
    if tmp is not None:
        enter_at_tmp(tmp)


def peak_memory_mb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), as Lambda's Max Memory Used: across every invocation
    of the environment. 0: unknown."""
    return -(-(status_kb("VmHWM", pid) or 0) // 1024)


class Environment:
    def __init__(
        self,
        fn: Any,
        *,
        signature: str,
        task: Path,
        opt: Path,
        runtime_dir: Path,
        home: Path,
        endpoint_url: str,
        memory: ceiling.Ceiling | None,
        cpu_quota: cpu.CpuQuota | None = None,
        session: Session | None = None,
        deliver_logs: Callable[[Any, str, str, bool], bool] | None = None,
        private_tmp: bool = False,
        warning: str = "",
    ) -> None:
        self.signature = signature
        self.function_name = fn.function_name
        self.function_arn = fn.function_arn
        self.runtime = fn.run_time or LOCAL_RUNTIME
        self.memory_size = int(fn.memory_size or 128)
        self.timeout = float(fn.timeout or 3)
        self.logging = platformlog.LoggingConfig.of(fn)
        self.stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.invocations = 0
        self.last_used = time.monotonic()
        self.fn = fn  # moto's function, as it was when this environment was made
        self._closed = False
        self.killed = False  # by a chaos rule (chaos.py)
        self._closing = threading.Lock()
        self._warning = warning
        self._memory = memory
        self._group = memory.create(self.memory_size) if memory else None
        self._cpu_group: Path | None = None
        if cpu_quota is not None and cpu_quota.shared and self._group is not None:
            cpu_quota.limit(self._group, self.memory_size)  # cgroup v2: one group holds both limits
        elif cpu_quota is not None and not cpu_quota.shared:
            self._cpu_group = cpu_quota.create(self.memory_size)
        self.session = session  # the execution role's credentials (None: the static ones)
        self._deliver_logs = deliver_logs
        self.disk = TmpDisk(home, int(fn.ephemeral_storage or 512))
        self.api = RuntimeAPI()
        self.output = ProcessOutput()
        self._started = time.monotonic()
        try:
            variables = lambda_variables(
                fn,
                runtime=self.runtime,
                memory_size=self.memory_size,
                stream=self.stream,
                logging=self.logging,
                api_address=self.api.address,
                task=task,
                runtime_dir=runtime_dir,
                endpoint_url=endpoint_url,
                tmpdir=None if private_tmp else self.disk.path,
                credentials=session.environment() if session else None,
            )
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-S",
                    "-E",
                    "-u",
                    str(runtime_dir / BOOTSTRAP.name),
                    str(task),
                    str(opt),
                    str(runtime_dir),
                    fn.handler,
                ],
                env=variables,
                cwd=task,
                stdin=subprocess.DEVNULL,
                stdout=self.output.fd,
                stderr=self.output.fd,
                start_new_session=True,
                preexec_fn=partial(
                    _prepare,
                    tuple(g for g in (self._group, self._cpu_group) if g is not None),
                    os.fsencode(self.disk.path) if private_tmp else None,
                ),
            )
        except BaseException:
            self.output.discard()
            self.api.close()
            self._release()
            raise
        self.output.start()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and not self.api.ended.is_set()

    # -- one invocation ---------------------------------------------------------------------------------------

    def _wait(self, event: threading.Event, seconds: float) -> bool:
        """Until ``event``, the process's end, an init error or ``seconds`` -- whichever comes first."""
        deadline = time.monotonic() + seconds
        while not event.wait(min(0.02, max(0.0, deadline - time.monotonic()))):
            if not self.alive or time.monotonic() >= deadline:
                return event.is_set()
        return True

    def invoke(self, payload: bytes, kill_after_ms: int | None = None) -> Outcome:
        """One invocation; ``kill_after_ms`` (a chaos rule): the process is killed that long after the runtime took
        it, as an out-of-memory kill ends it."""
        request_id = str(uuid.uuid4())
        cold = self.invocations == 0
        self.invocations += 1
        invocation = Invocation(request_id, payload or b"{}", self.function_arn, self.timeout)
        self.api.offer(invocation)
        taken = self._wait(invocation.taken, INIT_LIMIT + self.timeout if cold else self.timeout)
        if taken and kill_after_ms is not None:
            self._kill_after(invocation, kill_after_ms)
        init_ms = (invocation.taken_at - self._started) * 1000 if cold and taken else None
        finished = taken and self._wait(invocation.done, self.timeout)
        # As the Runtime API saw them: this thread may wake a little after the runtime answered.
        ended = invocation.done_at if finished else time.monotonic()
        duration = (ended - (invocation.taken_at if taken else self._started)) * 1000
        max_memory = peak_memory_mb(self.process.pid)
        note = ""
        if finished:
            body, error_type = invocation.body, invocation.error_type
        elif self.api.init_error is not None:
            body, error_type = self.api.init_error
            init_ms, duration = (time.monotonic() - self._started) * 1000, 0.0
        else:
            body, error_type, note = self._unanswered(request_id)
            if error_type == "Runtime.OutOfMemory":
                max_memory = self.memory_size  # as Lambda reports it: all of it
        output = self._warning * cold + self.output.collect(request_id) + note
        report = platformlog.Report(request_id, duration, self.memory_size, max_memory, init_ms, error_type)
        text = platformlog.lines(self.logging, report, output, self.function_name, self.runtime)
        if self._deliver_logs is None or self._deliver_logs(self.fn, self.logging.log_group, self.stream, cold):
            platformlog.write(self.fn, self.logging.log_group, self.stream, text, new_stream=cold)
        self.last_used = time.monotonic()
        return Outcome(request_id, body, error_type, "\n".join(text) + "\n", duration)

    def _kill_after(self, invocation: Invocation, ms: int) -> None:
        def kill() -> None:
            if not invocation.done.wait(ms / 1000):
                self.killed = True
                self.kill()

        threading.Thread(target=kill, name="localaws-chaos-kill", daemon=True).start()

    def _unanswered(self, request_id: str) -> tuple[bytes, str, str]:
        """Why an invocation the runtime never answered ended: Lambda's error object, its errorType and the lines
        the platform writes to the log. A process still running has timed out (and is stopped now)."""
        now = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"
        if self.process.poll() is None:
            self.kill()
            message = f"Task timed out after {self.timeout:.2f} seconds"
            body = error_body("Sandbox.Timedout", f"RequestId: {request_id} Error: {message}")
            return body, "Sandbox.Timedout", f"{now} {request_id} {message}\n"
        if self.killed:  # by a chaos rule's kill_after_ms, as Lambda reports a process killed for its memory
            how, error_type = "signal: killed", "Runtime.ExitError"
        elif self._group is not None and self._memory is not None and self._memory.oom_killed(self._group):
            how, error_type = "signal: killed", "Runtime.OutOfMemory"
        else:
            status = self.process.returncode
            how = f"exit status {status}" if status >= 0 else f"signal: {signal.Signals(-status).name}"
            error_type = "Runtime.ExitError"
        body = error_body(error_type, f"RequestId: {request_id} Error: Runtime exited with error: {how}")
        return body, error_type, f"{now} {request_id} Error: Runtime exited with error: {how}\n{error_type}\n"

    # -- the end ------------------------------------------------------------------------------------------------

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def close(self) -> None:
        """Stop the process (and anything it started) and give back its /tmp, cgroup and Runtime API. Once."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
        self.kill()
        self.api.close()
        self._release()
        self.output.close()

    def _release(self) -> None:
        self.disk.remove()
        if self._group is not None:
            ceiling.Ceiling.remove(self._group)
            self._group = None
        if self._cpu_group is not None:
            cpu.CpuQuota.remove(self._cpu_group)
            self._cpu_group = None
