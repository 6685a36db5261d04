"""Terraform files read with python-hcl2, never with regular expressions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2


def blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """``(name, body)`` of every ``kind`` block (``variable``, ``output``, …) in one file, in file order."""
    with path.open() as f:
        parsed = hcl2.load(f)
    return [(name.strip('"'), body) for block in parsed.get(kind, []) for name, body in block.items()]
