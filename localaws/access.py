"""The access record: every AWS call a function made with its role's credentials, and the decision on it.

One JSON object per line in ``<work dir>/access-record.jsonl`` (and in memory): the function, the role, the action,
the resource, whether it was allowed, why, and the statement that allowed or denied it (``policy#Sid``). Tests read
it to prove that no call was denied and that every statement of the role's policy was used.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_NAME = "access-record.jsonl"


@dataclass(frozen=True)
class Access:
    function: str
    role: str
    action: str
    resource: str
    allowed: bool
    reason: str
    statement: str | None
    context: dict[str, Any] = field(default_factory=dict)
    caller: str = "function"  # "function": the function's own call; "lambda": Lambda acting with the role
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))


class AccessRecord:
    """Thread-safe; appends each access to ``path`` as it happens (None: memory only)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: list[Access] = []

    def add(self, access: Access) -> None:
        line = json.dumps(asdict(access), sort_keys=True) + "\n"
        with self._lock:
            self._entries.append(access)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(line)

    def entries(self) -> list[Access]:
        with self._lock:
            return list(self._entries)


def read(path: Path) -> list[Access]:
    """The accesses a localaws recorded in ``path`` (its work directory's access-record.jsonl)."""
    if not path.exists():
        return []
    return [Access(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
