"""How many CPUs the function may use at once: the threads HEIF tiles are decoded on (heif.py) and the strips a
large picture is scaled down in (imaging.py).

Three limits, the smallest wins:

- the CPUs the process may run on (``os.sched_getaffinity``: ``taskset``, a container's cpuset);
- a CPU quota of its cgroup or any parent (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``), rounded up: localaws
  gives each memory size its share that way (``localaws/cpu.py``), as a container runtime's ``--cpus`` does;
- Lambda's share by memory, rounded up: one vCPU per 1,769 MB (``memory_mb``, from
  ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``), six at most. Inside Lambda the guest sees its vCPUs but not the quota
  (Firecracker applies it from outside), so this is the limit that counts there: a 1,024 MB function sees two
  CPUs and has 0.58 of one, and a second thread would only wait its turn.

Rounded up, because a quota of 1.7 CPUs lets two threads run at once for most of each period.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

MB_PER_VCPU = 1769  # Lambda: "at 1,769 MB, a function has the equivalent of one vCPU"
MAX_VCPUS = 6  # Lambda's most, at 10,240 MB
CGROUP = Path("/sys/fs/cgroup")


def available(memory_mb: int = 0, *, cgroup_root: Path = CGROUP, proc_cgroup: Path = Path("/proc/self/cgroup")) -> int:
    """The CPUs this process may keep busy at once (at least 1). ``memory_mb``: the function's memory (0: not on
    Lambda, no share by memory)."""
    cpus = len(os.sched_getaffinity(0))
    quota = cgroup_quota(cgroup_root, proc_cgroup)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))
    if memory_mb > 0:
        cpus = min(cpus, math.ceil(memory_mb / MB_PER_VCPU))
    return max(1, min(cpus, MAX_VCPUS))


def cgroup_quota(root: Path = CGROUP, proc_cgroup: Path = Path("/proc/self/cgroup")) -> float | None:
    """The smallest CPU quota (in CPUs) of this process's cgroup and its parents, or None when none is set or
    none can be read."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    quotas: list[float] = []
    for line in lines:
        hierarchy, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if hierarchy == "0" and controllers == "":  # v2
            quotas += _quotas(root, path, _v2)
        elif "cpu" in controllers.split(","):  # v1
            quotas += _quotas(root / "cpu", path, _v1)
    return min(quotas) if quotas else None


def _quotas(base: Path, path: str, read: Callable[[Path], float | None]) -> list[float]:
    found = []
    group = base / path.strip("/")
    while True:
        quota = read(group)
        if quota is not None:
            found.append(quota)
        if group == base or base not in group.parents:
            return found
        group = group.parent


def _v2(group: Path) -> float | None:
    try:
        limit, period = (group / "cpu.max").read_text().split()
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        return None


def _v1(group: Path) -> float | None:
    try:
        limit = int((group / "cpu.cfs_quota_us").read_text())
        period = int((group / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if limit <= 0 or period <= 0 else limit / period
