"""The shape of an event: its keys, recursively, and the type of every value -- what localaws must send alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[3] / "events"


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def recorded(name: str) -> Any:
    """A recorded AWS event (``events/NAME``)."""
    return json.loads((EVENTS / name).read_text())
