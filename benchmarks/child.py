"""Run one contender in a process of its own and print its peak resident memory (KiB, VmHWM).

python -m benchmarks.child CONTENDER FILE SIZE[,SIZE...]   ('idle' measures the imports alone)
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.contenders import CONTENDERS


def main() -> int:
    name, path, sizes = sys.argv[1], Path(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")]
    if name != "idle":
        for _ in range(2):
            CONTENDERS[name](path, sizes)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
    status = Path("/proc/self/status").read_text()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
