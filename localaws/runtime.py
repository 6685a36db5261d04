"""Execute a moto Lambda function: its deployed ZIP and layers, in a subprocess of the local Python.

- the code is extracted to a task directory, the layers into an ``/opt`` stand-in **in order** (a file in a later
  layer wins), both cached by content;
- the child runs ``bootstrap.py`` with Lambda's import path (task, ``/opt/python``, then the runtime's boto3), the
  function's environment, Lambda's variables and ``AWS_ENDPOINT_URL`` pointing back here;
- the configured timeout is enforced (the process group is killed), and so is ``memory_size`` where this machine
  lets localaws make memory cgroups (ceiling.py: above it, ``Runtime.OutOfMemory``, as Lambda reports it);
- the output lands in the function's log group; REPORT gives the process's real peak memory.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from . import ceiling

log = logging.getLogger("localaws")

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
# What the Lambda Python runtime provides besides the standard library: boto3 and what it needs.
RUNTIME_PACKAGES = ("boto3", "botocore", "jmespath", "s3transfer", "urllib3", "dateutil", "six")
LOCAL_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True)
class Outcome:
    request_id: str
    payload: bytes  # the handler's JSON result, or Lambda's error object
    error: str | None  # None, "Unhandled" (an exception or a timeout)
    logs: str
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.error is None


class Runtime:
    """Executes functions for one local endpoint; caches extracted code under ``work_dir``."""

    def __init__(self, work_dir: Path, endpoint_url: str) -> None:
        self.work_dir = work_dir
        self.endpoint_url = endpoint_url
        self._lock = threading.Lock()
        self._runtime_dir = self._link_runtime_packages()
        self._ceiling = ceiling.find()
        self._warned: set[str] = set()

    # -- preparing the file system ---------------------------------------------------------------------------

    def _link_runtime_packages(self) -> Path:
        target = self.work_dir / "runtime"
        target.mkdir(parents=True, exist_ok=True)
        for name in RUNTIME_PACKAGES:
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                continue
            source = Path(spec.origin)
            source = source.parent if source.name == "__init__.py" else source
            link = target / source.name
            if not link.exists():
                link.symlink_to(source, target_is_directory=source.is_dir())
        return target

    def _extract(self, kind: str, archives: list[bytes]) -> Path:
        """Extract the archives in order into one directory named by their content; a later file wins."""
        digest = hashlib.sha256(b"".join(hashlib.sha256(a).digest() for a in archives)).hexdigest()[:24]
        target = self.work_dir / kind / digest
        with self._lock:
            if not target.is_dir():
                staging = Path(tempfile.mkdtemp(dir=self.work_dir, prefix=f".{kind}-"))
                for archive in archives:
                    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
                        zf.extractall(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                staging.rename(target)
        return target

    def _layers(self, fn: Any) -> list[bytes]:
        from moto.awslambda.utils import get_backend

        backend = get_backend(fn.account_id, fn.region)
        archives = []
        for layer in fn.layers:
            version = backend.layers_versions_by_arn(layer["Arn"])
            if version is None:
                raise RuntimeError(f"layer {layer['Arn']} does not exist on this endpoint")
            archives.append(version.code_bytes)
        return archives

    # -- running --------------------------------------------------------------------------------------------

    def _environment(
        self, fn: Any, request_id: str, deadline_ms: int, stream: str, task: Path, tmp: Path
    ) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "TMPDIR": str(tmp),
            "LAMBDA_TASK_ROOT": str(task),
            "_HANDLER": fn.handler or "",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": fn.logs_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_ACCESS_KEY_ID": "localaws",
            "AWS_SECRET_ACCESS_KEY": "localaws",
            "AWS_SESSION_TOKEN": "localaws",
            "_LOCALAWS_REQUEST_ID": request_id,
            "_LOCALAWS_FUNCTION_ARN": fn.function_arn,
            "_LOCALAWS_DEADLINE_MS": str(deadline_ms),
        }
        env.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
        env["AWS_ENDPOINT_URL"] = self.endpoint_url  # always back to this endpoint, never to AWS
        return env

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

    def execute(self, fn: Any, payload: bytes) -> Outcome:
        request_id = str(uuid.uuid4())
        started = time.time()
        timeout = float(fn.timeout or 3)
        deadline_ms = int((started + timeout) * 1000)
        now = datetime.now(UTC)
        stream = f"{now:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        warning = self._warn_runtime(fn)
        task = self._extract("task", [fn.code_bytes])
        opt = self._extract("opt", self._layers(fn))
        tmp = self.work_dir / "tmp" / fn.function_name
        tmp.mkdir(parents=True, exist_ok=True)
        env = self._environment(fn, request_id, deadline_ms, stream, task, tmp)
        with tempfile.TemporaryDirectory(dir=self.work_dir, prefix=".invoke-") as scratch:
            result_path = Path(scratch) / "result.json"
            command = [
                sys.executable,
                "-S",
                "-E",
                "-u",
                str(BOOTSTRAP),
                str(task),
                str(opt),
                str(self._runtime_dir),
                str(result_path),
            ]
            group = self._ceiling.create(int(fn.memory_size or 128)) if self._ceiling else None
            try:
                child = subprocess.Popen(
                    command,
                    env=env,
                    cwd=task,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=partial(ceiling.enter, group) if group else None,
                )
                try:
                    output, _ = child.communicate(payload or b"{}", timeout=timeout)
                    timed_out = False
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    output, _ = child.communicate()
                    timed_out = True
                out_of_memory = group is not None and self._ceiling is not None and self._ceiling.oom_killed(group)
            finally:
                if group:
                    ceiling.Ceiling.remove(group)
            duration = (time.time() - started) * 1000
            max_memory_mb = 0  # unknown: the process was killed before it could say
            text = warning + output.decode("utf-8", errors="replace")
            if timed_out:
                error = {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
                }
                text += f"{now:%Y-%m-%dT%H:%M:%S.%fZ} {request_id} Task timed out after {timeout:.2f} seconds\n"
                body, failed = json.dumps(error).encode(), "Unhandled"
            elif out_of_memory and not result_path.is_file():
                error = {
                    "errorType": "Runtime.OutOfMemory",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                }
                text += f"{now:%Y-%m-%dT%H:%M:%S.%fZ} {request_id} {error['errorMessage']}\nRuntime.OutOfMemory\n"
                body, failed = json.dumps(error).encode(), "Unhandled"
                max_memory_mb = int(fn.memory_size)  # as Lambda reports it: all of it
            elif result_path.is_file():
                result = json.loads(result_path.read_text())
                max_memory_mb = -(-int(result.get("max_memory_kb", 0)) // 1024)
                if "error" in result:
                    body, failed = json.dumps(result["error"]).encode(), "Unhandled"
                else:
                    body, failed = json.dumps(result["payload"]).encode(), None
            else:
                error = {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with status {child.returncode}",
                }
                body, failed = json.dumps(error).encode(), "Unhandled"
        self._save_logs(fn, stream, request_id, text, duration, max_memory_mb)
        log.info(
            "localaws: %s %s %s in %.0f ms",
            fn.function_name,
            request_id,
            "timed out" if timed_out else ("failed" if failed else "succeeded"),
            duration,
        )
        return Outcome(request_id, body, failed, text, duration)

    def _save_logs(
        self, fn: Any, stream: str, request_id: str, output: str, duration_ms: float, max_memory_mb: int
    ) -> None:
        used = f"\tMax Memory Used: {max_memory_mb} MB" if max_memory_mb else ""
        lines = [
            f"START RequestId: {request_id} Version: $LATEST",
            *output.splitlines(),
            f"END RequestId: {request_id}",
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {int(duration_ms) + 1} ms\tMemory Size: {fn.memory_size} MB{used}",
        ]
        backend = fn.logs_backend
        backend.ensure_log_group(fn.logs_group_name)
        backend.create_log_stream(fn.logs_group_name, stream)
        millis = int(time.time() * 1000)
        backend.put_log_events(fn.logs_group_name, stream, [{"timestamp": millis, "message": line} for line in lines])

    def close(self) -> None:
        """Give back what the runtime holds outside its work directory: its memory cgroup."""
        ceiling.release(self._ceiling)
        self._ceiling = None

    def clear(self) -> None:
        shutil.rmtree(self.work_dir, ignore_errors=True)
