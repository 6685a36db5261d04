"""The environment variables of a runtime process: Lambda's, the function's own, and the endpoint to call back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .platformlog import LoggingConfig


def lambda_variables(
    fn: Any,
    *,
    runtime: str,
    memory_size: int,
    stream: str,
    logging: LoggingConfig,
    api_address: str,
    task: Path,
    runtime_dir: Path,
    endpoint_url: str,
    tmpdir: Path | None,
    credentials: dict[str, str] | None = None,
) -> dict[str, str]:
    """What Lambda sets, then the function's variables, then ``AWS_ENDPOINT_URL`` back to this endpoint (always:
    never to AWS). ``tmpdir``: where tempfile writes when ``/tmp`` is the host's. ``credentials``: the execution
    role's session (sessions.py); None: static ones that moto accepts with full access."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task),
        "LAMBDA_RUNTIME_DIR": str(runtime_dir),
        "_HANDLER": fn.handler or "",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_LAMBDA_RUNTIME_API": api_address,
        "AWS_REGION": fn.region,
        "AWS_DEFAULT_REGION": fn.region,
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        **(
            credentials
            or {"AWS_ACCESS_KEY_ID": "localaws", "AWS_SECRET_ACCESS_KEY": "localaws", "AWS_SESSION_TOKEN": "localaws"}
        ),
        **logging.runtime_environment(),
    }
    if tmpdir is not None:  # /tmp is the host's: point tempfile at the environment's own
        env["TMPDIR"] = str(tmpdir)
    env.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
    env["AWS_ENDPOINT_URL"] = endpoint_url  # always back to this endpoint, never to AWS
    return env
