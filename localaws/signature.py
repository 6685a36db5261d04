"""The signature that decides warm reuse: what an environment was made from.

A code or configuration change (the ZIP, layers, handler, runtime, memory, timeout, ``/tmp`` size, variables,
logging configuration -- or, with hot reload, any file of the function's directory, through ``code_version``)
changes it, and the environments made from the old one are retired: they never serve again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .platformlog import LoggingConfig


def signature(fn: Any, code_version: str, opt: Path) -> str:
    """What an environment of ``fn`` is made from; a change to any of it retires the environment."""
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
