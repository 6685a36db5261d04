"""What the operator sees: a progress bar on stderr when it is a terminal (tqdm: done/total, rate, time left), one
line a stage otherwise (a CI log stays readable); the summary on stdout, as text or, with ``--json``, as one JSON
object for automation."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from tqdm import tqdm


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.terminal = enabled and self.stream.isatty()
        self.enabled = enabled
        self._bar: tqdm | None = None
        self._stage: str | None = None

    def stage(self, text: str) -> None:
        """A new stage: one line (a finished bar stays above it on a terminal)."""
        if self._stage == text or not self.enabled:
            return
        self._stage = text
        self.close()
        print(f"thumbnails: {text}", file=self.stream, flush=True)

    def count(self, done: int, total: int | None, failed: int = 0, unit: str = "task") -> None:
        """Work done so far: the bar on a terminal, nothing otherwise (the stages carry the totals)."""
        if not self.terminal:
            return
        if self._bar is None:
            self._bar = tqdm(total=total, unit=unit, file=self.stream, dynamic_ncols=True, leave=True)
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.set_postfix(failed=failed, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def emit(summary: dict[str, Any], as_json: bool, text: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    if as_json:
        json.dump(summary, out, indent=2, default=str, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(text.rstrip("\n") + "\n")
