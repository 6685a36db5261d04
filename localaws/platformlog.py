"""A function's logs as Lambda writes them: its logging configuration, and the platform's lines around its output.

- ``LoggingConfig`` (``log_format`` Text or JSON, application and system log levels, log group) as the function
  was created or updated with (seam.py keeps it on moto's function; moto has none), with Lambda's defaults.
- The application side is the runtime's: ``AWS_LAMBDA_LOG_FORMAT`` and ``AWS_LAMBDA_LOG_LEVEL`` make AWS's runtime
  client format Python's ``logging`` records (plain text with the request ID, or JSON objects) and drop those
  below the application log level, as on Lambda. What the function prints is passed through unchanged.
- The platform side is ours: ``INIT_START`` (a cold start only), ``START``, ``END`` and ``REPORT`` in Text; the
  ``platform.initStart``, ``platform.start`` and ``platform.report`` objects in JSON, all at INFO, so a system log
  level of WARN or above leaves them out. ``Init Duration`` (``initDurationMs``) appears on a cold start only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


@dataclass(frozen=True)
class LoggingConfig:
    log_format: str = "Text"
    application_level: str | None = None
    system_level: str | None = None
    log_group: str = ""

    @classmethod
    def of(cls, fn: Any) -> LoggingConfig:
        given = getattr(fn, "logging_config", None) or {}
        json_format = given.get("LogFormat") == "JSON"
        return cls(
            log_format="JSON" if json_format else "Text",
            application_level=given.get("ApplicationLogLevel", "INFO") if json_format else None,
            system_level=given.get("SystemLogLevel", "INFO") if json_format else None,
            log_group=given.get("LogGroup") or f"/aws/lambda/{fn.function_name}",
        )

    def api_shape(self) -> dict[str, str]:
        """As GetFunctionConfiguration answers it."""
        shape = {"LogFormat": self.log_format, "LogGroup": self.log_group}
        if self.application_level:
            shape.update(ApplicationLogLevel=self.application_level, SystemLogLevel=str(self.system_level))
        return shape

    def runtime_environment(self) -> dict[str, str]:
        """What the runtime client reads (awslambdaric: bootstrap.py)."""
        variables = {"AWS_LAMBDA_LOG_FORMAT": self.log_format.upper(), "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group}
        if self.application_level:
            variables["AWS_LAMBDA_LOG_LEVEL"] = self.application_level
        return variables

    @property
    def platform_lines(self) -> bool:
        """The platform's lines are INFO: shown unless the system log level is above it."""
        return self.system_level is None or LEVELS.index(self.system_level) <= LEVELS.index("INFO")


@dataclass(frozen=True)
class Report:
    request_id: str
    duration_ms: float
    memory_size: int
    max_memory_mb: int  # 0: unknown (the process was killed before it could be read)
    init_ms: float | None  # a cold start's init phase; None when warm
    error_type: str | None  # None: success


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def lines(config: LoggingConfig, report: Report, output: str, function_name: str, runtime: str) -> list[str]:
    """The log lines of one invocation: the platform's around the function's ``output``."""
    billed = int(report.duration_ms) + 1
    if config.log_format == "JSON":
        head: list[str] = []
        if report.init_ms is not None:
            head.append(
                _event(
                    "platform.initStart",
                    initializationType="on-demand",
                    phase="init",
                    runtimeVersion=_runtime_version(runtime),
                    functionName=function_name,
                    functionVersion="$LATEST",
                )
            )
        head.append(_event("platform.start", requestId=report.request_id, version="$LATEST"))
        metrics: dict[str, Any] = {
            "durationMs": round(report.duration_ms, 2),
            "billedDurationMs": billed,
            "memorySizeMB": report.memory_size,
        }
        if report.max_memory_mb:
            metrics["maxMemoryUsedMB"] = report.max_memory_mb
        if report.init_ms is not None:
            metrics["initDurationMs"] = round(report.init_ms, 2)
        record: dict[str, Any] = {"requestId": report.request_id, "metrics": metrics}
        if report.error_type:
            record.update(status="timeout" if report.error_type == "Sandbox.Timedout" else "error")
            record["errorType"] = report.error_type
        else:
            record["status"] = "success"
        tail = [_event("platform.report", **record)]
    else:
        head = [f"INIT_START Runtime Version: {_runtime_version(runtime)}"] if report.init_ms is not None else []
        head.append(f"START RequestId: {report.request_id} Version: $LATEST")
        used = f"\tMax Memory Used: {report.max_memory_mb} MB" if report.max_memory_mb else ""
        init = f"\tInit Duration: {report.init_ms:.2f} ms" if report.init_ms is not None else ""
        tail = [
            f"END RequestId: {report.request_id}",
            f"REPORT RequestId: {report.request_id}\tDuration: {report.duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {report.memory_size} MB{used}{init}",
        ]
    if not config.platform_lines:
        head, tail = [], []
    # One event per "\n"-ended line, as Lambda splits a function's output: the runtime client joins a traceback's
    # lines with "\r", so an unhandled error stays one event.
    return [*head, *(line for line in output.split("\n") if line), *tail]


def _runtime_version(runtime: str) -> str:
    """As Lambda names its runtime versions (``python:3.12.v70``), with ``localaws`` for the release."""
    return runtime.replace("python", "python:") + ".localaws"


def _event(kind: str, **record: Any) -> str:
    return json.dumps({"time": _now(), "type": kind, "record": record})


def write(fn: Any, group: str, stream: str, messages: list[str], new_stream: bool) -> None:
    """Append ``messages`` to ``stream`` of ``group`` in the function's region (moto's CloudWatch Logs)."""
    backend = fn.logs_backend
    backend.ensure_log_group(group)
    if new_stream:
        backend.create_log_stream(group, stream)
    millis = int(time.time() * 1000)
    if messages:
        backend.put_log_events(group, stream, [{"timestamp": millis, "message": m} for m in messages])
