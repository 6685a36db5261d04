"""One JSON object per line: request id, key, outcome, milliseconds, and the release deployed (``release``, from
RELEASE_VERSION, which the module sets: its version, with "+build" when the ZIPs were built on the runner). Never an
event body or a secret.

Under Lambda's JSON log format (``logging_config``, the module's default) the runtime writes them: its JSON
object carries ``timestamp``, ``level``, ``message``, ``logger``, ``requestId`` and these fields, and it drops
records below the function's application log level. Elsewhere (Text format, tests, a bare interpreter) this module
writes the same fields itself, one line each, at INFO and above.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from typing import Any

_logger = logging.getLogger("thumbnails")
# A LogRecord's own attributes: ``extra`` may not set them (a field of that name is written with a trailing "_").
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class _Stdout(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (a test's capture replaces it; Lambda's never changes)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def runtime_formats() -> bool:
    """Lambda's runtime writes JSON log records (AWS_LAMBDA_LOG_FORMAT=JSON)."""
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


@functools.cache
def _writes_itself() -> bool:
    """Whether this module writes the lines (True) or the Lambda runtime does (False); decided once."""
    if runtime_formats():
        _logger.propagate = True
        return False
    if not _logger.handlers:
        handler = _Stdout()
        handler.setFormatter(logging.Formatter("%(message)s"))
        _logger.addHandler(handler)
    _logger.setLevel(logging.INFO)
    _logger.propagate = False  # the Lambda runtime's root handler would wrap the line in plain text
    return True


def release() -> str | None:
    """The release deployed, as the module names it (RELEASE_VERSION); None outside a deployment."""
    return os.environ.get("RELEASE_VERSION") or None


def log(level: int, message: str, **fields: Any) -> None:
    deployed = release()
    if deployed is not None:
        fields = {"release": deployed, **fields}
    if _writes_itself():
        line = {"level": logging.getLevelName(level), "message": message, **fields}
        _logger.log(level, json.dumps(line, default=str, ensure_ascii=False))
    else:  # the runtime's root handler: its JSON formatter, its level
        _logger.log(level, message, extra={f"{k}_" if k in _RECORD_FIELDS else k: v for k, v in fields.items()})
