"""One JSON object per line: request id, key, outcome, milliseconds. Never an event body or a secret."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_logger = logging.getLogger("thumbnails")


class _Stdout(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (a test's capture replaces it; Lambda's never changes)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _configure() -> logging.Logger:
    if not _logger.handlers:
        handler = _Stdout()
        handler.setFormatter(logging.Formatter("%(message)s"))
        _logger.addHandler(handler)
        _logger.setLevel(logging.INFO)
        _logger.propagate = False  # the Lambda runtime's root handler would wrap the line in plain text
    return _logger


def log(level: int, message: str, **fields: Any) -> None:
    line = {"level": logging.getLevelName(level), "message": message, **fields}
    _configure().log(level, json.dumps(line, default=str, ensure_ascii=False))
