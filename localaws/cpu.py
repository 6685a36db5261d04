"""CPU in proportion to memory, as Lambda allots it: one vCPU at 1,769 MB, up to six at 10,240 MB.

Each execution environment's runtime process runs in a CPU cgroup whose quota is ``memory_size / 1769`` cores
(capped at this machine's cores), over a 100 ms period: a 256 MB function gets 14.5 ms of CPU in every 100 ms,
so a CPU-bound invocation takes about seven times as long as at 1,769 MB, as on Lambda. cgroup v2 writes
``cpu.max`` (in the environment's memory cgroup when memory is limited by v2 too: a process is in one v2 cgroup);
v1 writes ``cpu.cfs_quota_us`` in a group of the ``cpu`` hierarchy. Which one, or that CPU is not limited (no
writable CPU controller), localaws says once at start.

Durations stay real: REPORT's ``Duration`` and ``Billed Duration`` are the wall-clock time the throttled process
took, which is what Lambda bills.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("localaws")
ROOT = Path("/sys/fs/cgroup")
MB_PER_VCPU = 1769  # Lambda: "at 1,769 MB, a function has the equivalent of one vCPU"
MAX_VCPUS = 6  # at 10,240 MB
PERIOD_US = 100_000
# Lambda keeps an environment's CPU for it; a laptop's other processes would not. A group's weight counts as that
# many busy processes, so on a busy machine an environment still gets close to its quota (never more: the quota is
# the ceiling). Without it a cgroup competes as one process, whatever its threads.
WEIGHT_PER_VCPU = 16


def machine_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def vcpus(memory_mb: int, cores: int) -> float:
    """The cores an environment of ``memory_mb`` gets: Lambda's share, at most this machine's."""
    return min(memory_mb / MB_PER_VCPU, float(MAX_VCPUS), float(cores))


@dataclass(frozen=True)
class CpuQuota:
    """One cgroup version's CPU controller. ``shared``: v2, where the quota goes into the memory cgroup."""

    parent: Path
    version: int  # 1 or 2
    cores: int
    shared: bool = False

    def quota_us(self, memory_mb: int) -> int:
        return max(1000, round(vcpus(memory_mb, self.cores) * PERIOD_US))

    def weight(self, memory_mb: int) -> int:
        """The group's scheduling weight: ``WEIGHT_PER_VCPU`` nice-0 processes per vCPU it is allotted."""
        share = vcpus(memory_mb, self.cores) * WEIGHT_PER_VCPU
        return (
            max(2, min(262_144, round(1024 * share))) if self.version == 1 else max(1, min(10_000, round(100 * share)))
        )

    def limit(self, group: Path, memory_mb: int) -> None:
        """Write the quota (and weight) for ``memory_mb`` into ``group``."""
        quota = self.quota_us(memory_mb)
        if self.version == 2:
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
            (group / "cpu.weight").write_text(str(self.weight(memory_mb)))
        else:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
            (group / "cpu.shares").write_text(str(self.weight(memory_mb)))

    def create(self, memory_mb: int) -> Path:
        """A CPU cgroup of its own for one environment (not ``shared``)."""
        group = self.parent / uuid.uuid4().hex
        group.mkdir()
        try:
            self.limit(group, memory_mb)
        except OSError:
            group.rmdir()
            raise
        return group

    @staticmethod
    def remove(group: Path) -> None:
        try:
            group.rmdir()
        except OSError:
            log.warning("localaws: could not remove the cgroup %s", group)

    @staticmethod
    def throttled_us(group: Path) -> int:
        """How long the group's processes were held back by the quota (cpu.stat), in microseconds."""
        try:
            fields = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines() if " " in line)
        except OSError:
            return 0
        if "throttled_usec" in fields:  # v2
            return int(fields["throttled_usec"])
        return int(fields.get("throttled_time", "0")) // 1000  # v1: nanoseconds


def find(root: Path = ROOT, memory_parent: Path | None = None, cores: int | None = None) -> CpuQuota | None:
    """The CPU controller this machine lets localaws use, or None (CPU not limited; said once at start).

    ``memory_parent``: the v2 memory cgroup parent of ceiling.py, if any; the quota then goes into each
    environment's memory cgroup."""
    cores = cores or machine_cores()
    v2 = (root / "cgroup.controllers").is_file()
    try:
        if v2:
            if "cpu" not in (root / "cgroup.controllers").read_text().split():
                raise OSError("no cpu controller in cgroup v2")
            if memory_parent is not None:
                (memory_parent / "cgroup.subtree_control").write_text("+cpu")
                quota = CpuQuota(memory_parent, 2, cores, shared=True)
            else:
                parent = root / f"localaws-cpu-{os.getpid()}-{uuid.uuid4().hex[:8]}"
                parent.mkdir()
                (parent / "cgroup.subtree_control").write_text("+cpu")
                quota = CpuQuota(parent, 2, cores)
                (parent / "cpu.weight").write_text(str(quota.weight(MB_PER_VCPU * MAX_VCPUS)))
        else:
            hierarchy = root / "cpu"
            if not (hierarchy / "cpu.cfs_quota_us").is_file():
                raise OSError(f"no cpu controller at {hierarchy}")
            parent = hierarchy / f"localaws-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            parent.mkdir()
            quota = CpuQuota(parent, 1, cores)
            (parent / "cpu.shares").write_text(str(quota.weight(MB_PER_VCPU * MAX_VCPUS)))  # nested: its own too
        if not quota.shared:
            CpuQuota.remove(quota.create(128))  # a quota can be set: the controller is ours to use
    except OSError as exc:
        log.warning("localaws: CPU is not limited by memory_size here (no writable CPU cgroup: %s)", exc)
        return None
    log.info(
        "localaws: CPU is limited by memory_size with cgroup v%d: 1 core per %d MB, at most %d (this machine's)",
        quota.version,
        MB_PER_VCPU,
        cores,
    )
    return quota


def release(quota: CpuQuota | None) -> None:
    """Remove localaws's own CPU cgroup at exit (every environment's is already gone)."""
    if quota is not None and not quota.shared:
        CpuQuota.remove(quota.parent)
