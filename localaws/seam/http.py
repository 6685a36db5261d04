"""Reading a request's headers, whatever their case and container (moto passes dicts and header objects)."""

from __future__ import annotations

from typing import Any


def header(headers: Any, name: str) -> str | None:
    """The value of header ``name`` (lower case), or None."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return None
