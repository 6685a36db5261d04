"""The function's ``memory_size`` enforced on each execution environment, as Lambda does: a memory cgroup each.

Lambda runs a function in a cgroup limited to its memory; above it the kernel kills the runtime and Lambda reports
``Runtime.OutOfMemory`` with ``Max Memory Used`` equal to the memory size. Here each environment's runtime process
gets a cgroup under ``/sys/fs/cgroup`` (cgroup v2: ``memory.max``; v1: ``memory.limit_in_bytes``), whichever this
machine mounts writable, found once at start. Where neither is (no permission, no memory controller), memory is not
enforced and localaws says so once; the peak is still reported (environment.py reads the process's VmHWM).
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("localaws")
ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Ceiling:
    """One cgroup version's files, under ``parent`` (a cgroup of localaws's own)."""

    parent: Path
    version: int  # 1 or 2

    @property
    def _limit(self) -> str:
        return "memory.max" if self.version == 2 else "memory.limit_in_bytes"

    def create(self, limit_mb: int) -> Path:
        """A cgroup limited to ``limit_mb`` (swap included: none), for one environment."""
        group = self.parent / uuid.uuid4().hex
        group.mkdir()
        limit = str(limit_mb * 1024 * 1024)
        (group / self._limit).write_text(limit)
        swap = group / ("memory.swap.max" if self.version == 2 else "memory.memsw.limit_in_bytes")
        try:  # present only where swap accounting is on
            swap.write_text("0" if self.version == 2 else limit)
        except OSError:
            pass
        return group

    def oom_killed(self, group: Path) -> bool:
        """The kernel killed a process of ``group`` for its memory."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            fields = dict(line.split() for line in (group / name).read_text().splitlines() if " " in line)
        except OSError:
            return False
        return int(fields.get("oom_kill", "0")) > 0

    @staticmethod
    def remove(group: Path) -> None:
        try:
            group.rmdir()
        except OSError:
            log.warning("localaws: could not remove the cgroup %s", group)


def enter(group: Path) -> None:
    """Move the calling process into ``group``: run in the child between fork and exec (``preexec_fn``), so it
    must not import, log or take a lock."""
    fd = os.open(str(group / "cgroup.procs"), os.O_WRONLY)
    try:
        os.write(fd, b"0")  # "0": the writing process itself
    finally:
        os.close(fd)


def find(root: Path = ROOT) -> Ceiling | None:
    """The memory cgroup this machine lets localaws make, or None (memory not enforced; said once)."""
    candidates = [(root, 2)] if (root / "cgroup.controllers").is_file() else [(root / "memory", 1)]
    for base, version in candidates:
        parent = base / f"localaws-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # one per runtime, removed with it
        try:
            if version == 2:
                if "memory" not in (root / "cgroup.controllers").read_text().split():
                    continue
            parent.mkdir()
            if version == 2:
                (parent / "cgroup.subtree_control").write_text("+memory")
            ceiling = Ceiling(parent, version)
            Ceiling.remove(ceiling.create(64))  # a limit can be set: the controller is ours to use
            log.info("localaws: memory_size is enforced with cgroup v%d (%s)", version, parent)
            return ceiling
        except OSError as exc:
            log.warning("localaws: memory_size is not enforced here (no writable memory cgroup: %s)", exc)
            try:
                parent.rmdir()
            except OSError:
                pass
            return None
    log.warning("localaws: memory_size is not enforced here (no memory cgroup controller)")
    return None


def release(ceiling: Ceiling | None) -> None:
    """Remove localaws's own cgroup at exit (every environment's is already gone)."""
    if ceiling is not None:
        Ceiling.remove(ceiling.parent)
