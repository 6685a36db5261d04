"""localaws defends the machine it runs on: past its memory ceiling it stops, saying why."""

from __future__ import annotations

import logging
import subprocess
import threading

from devkit.endpoint import LOCALAWS
from localaws.guard import MemoryGuard, resident_mb
from localaws.serve import EXIT_MEMORY


def test_guard_reports_once_when_memory_is_above_the_ceiling(caplog):
    caplog.set_level(logging.ERROR, logger="localaws")
    seen: list[int] = []
    reported = threading.Event()

    def exceeded(used_mb: int) -> None:
        seen.append(used_mb)
        reported.set()

    guard = MemoryGuard(1, exceeded, interval=0.01).start()
    assert reported.wait(10), "a 1 MB ceiling is exceeded at once"
    guard.stop()
    assert seen == [seen[0]] and seen[0] > 1 and abs(seen[0] - resident_mb()) < 200
    assert "above the ceiling of 1 MB (--max-memory-mb): stopping" in caplog.text


def test_guard_stays_quiet_below_the_ceiling():
    reported = threading.Event()
    guard = MemoryGuard(1_000_000, lambda used: reported.set(), interval=0.01).start()
    assert not reported.wait(0.2)
    guard.stop()


def test_the_command_stops_itself_with_a_clear_error():
    done = subprocess.run(
        [str(LOCALAWS), "--port", "0", "--max-memory-mb", "1"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == EXIT_MEMORY
    assert done.stdout.startswith("localaws ready: ") and "localaws: stopping" in done.stdout
    assert "above the ceiling of 1 MB (--max-memory-mb): stopping to protect this machine" in done.stderr
