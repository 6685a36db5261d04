"""The bookkeeping of the seam: what was replaced in moto, so that ``uninstall`` puts it back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ORIGINALS: dict[tuple[object, str], Any] = {}  # (owner, attribute) -> moto's own, in the order replaced


def replace(owner: object, name: str, make: Callable[[Any], Any]) -> None:
    """Replace ``owner.name`` with ``make(moto's own)``."""
    original = getattr(owner, name)
    _ORIGINALS[(owner, name)] = original
    setattr(owner, name, make(original))


def replaced() -> list[tuple[object, str]]:
    """Every (owner, attribute) replaced now, in the order replaced."""
    return list(_ORIGINALS)


def restore() -> None:
    """Put moto's own back, last replaced first."""
    for (owner, name), original in reversed(list(_ORIGINALS.items())):
        setattr(owner, name, original)
    _ORIGINALS.clear()
