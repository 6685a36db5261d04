"""The suite's sharing rests on pytest-xdist's `--dist loadgroup`: the tests of one `xdist_group` run on one worker,
in file order (one applied stack, one release rebuild, one batch of failing plans). pytest 9.2 computes node ids in
a way pytest-xdist 3.8.0's group suffix no longer reaches, and every group is then split across the workers,
silently: each worker applies its own stack. This fails when that happens (requirements-dev.txt pins pytest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = 'import os, pytest\npytestmark = pytest.mark.xdist_group("shared")\n'


def test_the_tests_of_a_group_run_on_one_worker(tmp_path: Path):
    tests = tmp_path / "tests"
    tests.mkdir()
    for name in ("a", "b"):
        (tests / f"test_{name}.py").write_text(
            GROUPED + "".join(f"def test_{name}{n}(): print(os.environ['PYTEST_XDIST_WORKER'])\n" for n in range(4))
        )
    (tests / "test_free.py").write_text("".join(f"def test_free{n}(): pass\n" for n in range(8)))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
         "-o", "addopts=", "tests"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    workers = {line.split()[0] for line in done.stdout.splitlines() if "PASSED" in line and "test_free" not in line}
    assert len(workers) == 1, (
        f"the group ran on {sorted(workers)}: this pytest and pytest-xdist no longer keep an xdist_group together; "
        f"pin the pair that does in requirements-dev.txt\n{done.stdout}"
    )


def test_the_long_tests_are_collected_first(request):
    """tests/conftest.py collects the long tests (the soak, the stacks, the plans, the benchmarks) before the
    in-process ones, which then fill the workers' last minutes; each file's tests keep their order."""
    from tests.conftest import long_first_rank

    order = [item.nodeid for item in request.session.items]
    rank = [long_first_rank(node) for node in order]
    assert rank == sorted(rank), "a long test collected after a shorter kind"
    files = [node.split("::")[0] for node in order]
    scattered = [f for f in set(files) if files.index(f) + files.count(f) - 1 != len(files) - 1 - files[::-1].index(f)]
    assert not scattered, f"a file's tests no longer in one run: {scattered}"
