"""One execution environment: a runtime process that serves invocation after invocation, as on Lambda.

It is made on a cold start and kept warm by runtime.py: its module state (cached clients, settings) and its
``/tmp`` survive from one invocation to the next. It has

- its own Runtime API (runtimeapi.py) and a process running bootstrap.py -> awslambdaric with Lambda's
  environment variables and ``AWS_ENDPOINT_URL`` pointing back to localaws;
- its ``/tmp``, limited to ``ephemeral_storage`` and seen at ``/tmp`` (tmpdisk.py), and its memory, limited to
  ``memory_size`` (ceiling.py), where this machine allows;
- one log stream, as on Lambda: every invocation's output between the platform's lines (platformlog.py).

An invocation that times out, runs out of memory or ends the process ends the environment too; the next
invocation is a cold start, as on Lambda.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from . import ceiling, platformlog
from .artifacts import BOOTSTRAP, PYTHON
from .guard import status_kb
from .runtimeapi import Invocation, RuntimeAPI
from .tmpdisk import TmpDisk, enter_at_tmp

log = logging.getLogger("localaws")

LOCAL_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
INIT_LIMIT = 10.0  # seconds Lambda allows an on-demand init phase
_MARK = b"\x00localaws-end:"  # written by localaws after an invocation's output, never by a function


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


def _prepare(group: Path | None, tmp: bytes | None) -> None:
    """In the runtime process between fork and exec: its memory cgroup, and its /tmp at /tmp."""
    if group is not None:
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
        self._closing = threading.Lock()
        self._warning = warning
        self._memory = memory
        self._group = memory.create(self.memory_size) if memory else None
        self.disk = TmpDisk(home, int(fn.ephemeral_storage or 512))
        self.api = RuntimeAPI()
        self._segments: dict[bytes, bytes] = {}
        self._output = threading.Condition()
        read_end, self._log_pipe = os.pipe()
        self._started = time.monotonic()
        try:
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
                env=self._environment(fn, task, runtime_dir, endpoint_url, private_tmp),
                cwd=task,
                stdin=subprocess.DEVNULL,
                stdout=self._log_pipe,
                stderr=self._log_pipe,
                start_new_session=True,
                preexec_fn=partial(_prepare, self._group, os.fsencode(self.disk.path) if private_tmp else None),
            )
        except BaseException:
            for fd in (read_end, self._log_pipe):
                os.close(fd)
            self.api.close()
            self._release()
            raise
        threading.Thread(target=self._read, args=(read_end,), name="localaws-env-log", daemon=True).start()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and not self.api.ended.is_set()

    def _environment(
        self, fn: Any, task: Path, runtime_dir: Path, endpoint_url: str, private_tmp: bool
    ) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(task),
            "LAMBDA_RUNTIME_DIR": str(runtime_dir),
            "_HANDLER": fn.handler or "",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}",
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_STREAM_NAME": self.stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_ACCESS_KEY_ID": "localaws",
            "AWS_SECRET_ACCESS_KEY": "localaws",
            "AWS_SESSION_TOKEN": "localaws",
            **self.logging.runtime_environment(),
        }
        if not private_tmp:  # /tmp is the host's: point tempfile at the environment's own
            env["TMPDIR"] = str(self.disk.path)
        env.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
        env["AWS_ENDPOINT_URL"] = endpoint_url  # always back to this endpoint, never to AWS
        return env

    # -- the process's output: one segment per invocation ---------------------------------------------------

    def _read(self, fd: int) -> None:
        pending = b""
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                pending += chunk
                while (start := pending.find(_MARK)) >= 0 and (end := pending.find(b"\n", start)) >= 0:
                    with self._output:
                        self._segments[pending[start + len(_MARK) : end]] = pending[:start]
                        self._output.notify_all()
                    pending = pending[end + 1 :]

    def _collect(self, request_id: str) -> str:
        """Everything the process wrote since the last invocation ended: the mark after it is written here, after
        the runtime answered, so it follows every byte the function wrote before."""
        token = request_id.encode()
        os.write(self._log_pipe, _MARK + token + b"\n")
        with self._output:
            self._output.wait_for(lambda: token in self._segments, timeout=5)
            return self._segments.pop(token, b"").decode("utf-8", errors="replace")

    # -- one invocation ---------------------------------------------------------------------------------------

    def _wait(self, event: threading.Event, seconds: float) -> bool:
        """Until ``event``, the process's end, an init error or ``seconds`` -- whichever comes first."""
        deadline = time.monotonic() + seconds
        while not event.wait(min(0.02, max(0.0, deadline - time.monotonic()))):
            if not self.alive or time.monotonic() >= deadline:
                return event.is_set()
        return True

    def invoke(self, payload: bytes) -> Outcome:
        request_id = str(uuid.uuid4())
        cold = self.invocations == 0
        self.invocations += 1
        invocation = Invocation(request_id, payload or b"{}", self.function_arn, self.timeout)
        self.api.offer(invocation)
        taken = self._wait(invocation.taken, INIT_LIMIT + self.timeout if cold else self.timeout)
        init_ms = (invocation.taken_at - self._started) * 1000 if cold and taken else None
        finished = taken and self._wait(invocation.done, self.timeout)
        # As the Runtime API saw them: this thread may wake a little after the runtime answered.
        ended = invocation.done_at if finished else time.monotonic()
        duration = (ended - (invocation.taken_at if taken else self._started)) * 1000
        now = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"
        max_memory = peak_memory_mb(self.process.pid)
        note = ""
        if finished:
            body, error_type = invocation.body, invocation.error_type
        elif self.api.init_error is not None:
            body, error_type = self.api.init_error
            init_ms, duration = (time.monotonic() - self._started) * 1000, 0.0
        elif self.process.poll() is None:  # still running: the timeout
            self.kill()
            error_type = "Sandbox.Timedout"
            message = f"Task timed out after {self.timeout:.2f} seconds"
            body = _error(error_type, f"RequestId: {request_id} Error: {message}")
            note = f"{now} {request_id} {message}\n"
        elif self._group is not None and self._memory is not None and self._memory.oom_killed(self._group):
            error_type = "Runtime.OutOfMemory"
            body = _error(error_type, f"RequestId: {request_id} Error: Runtime exited with error: signal: killed")
            note = f"{now} {request_id} Error: Runtime exited with error: signal: killed\n{error_type}\n"
            max_memory = self.memory_size  # as Lambda reports it: all of it
        else:
            status = self.process.returncode
            error_type = "Runtime.ExitError"
            how = f"exit status {status}" if status >= 0 else f"signal: {signal.Signals(-status).name}"
            body = _error(error_type, f"RequestId: {request_id} Error: Runtime exited with error: {how}")
            note = f"{now} {request_id} Error: Runtime exited with error: {how}\n{error_type}\n"
        output = self._warning * cold + self._collect(request_id) + note
        report = platformlog.Report(request_id, duration, self.memory_size, max_memory, init_ms, error_type)
        text = platformlog.lines(self.logging, report, output, self.function_name, self.runtime)
        platformlog.write(self.fn, self.logging.log_group, self.stream, text, new_stream=cold)
        self.last_used = time.monotonic()
        return Outcome(request_id, body, error_type, "\n".join(text) + "\n", duration)

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
        try:
            os.close(self._log_pipe)  # the reader sees the end of its pipe and stops
        except OSError:
            pass

    def _release(self) -> None:
        self.disk.remove()
        if self._group is not None:
            ceiling.Ceiling.remove(self._group)
            self._group = None


def _error(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()
