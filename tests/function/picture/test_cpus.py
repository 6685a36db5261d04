"""The CPUs the function uses at once (picture/cpus.py): the smallest of its affinity, its cgroup's CPU quota and
Lambda's share by memory, rounded up; and a large downscale cut into strips on them gives the same picture."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from thumbnailer.picture import cpus
from thumbnailer.picture.imaging import _downscale

from ..images import photo


@functools.cache
def _photo(size: tuple[int, int]) -> Image.Image:
    return photo(*size)


def v2_tree(root: Path, quotas: dict[str, str]) -> Path:
    """A cgroup v2 hierarchy under ``root`` with ``cpu.max`` in each of ``quotas``; /proc/self/cgroup naming the
    deepest."""
    for group, value in quotas.items():
        (root / group).mkdir(parents=True, exist_ok=True)
        (root / group / "cpu.max").write_text(value + "\n")
    proc = root / "proc-cgroup"
    proc.write_text(f"0::/{max(quotas, key=len)}\n")
    return proc


@pytest.fixture
def two_cpus(monkeypatch):
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: {0, 1})


@pytest.mark.parametrize(
    "memory_mb, expected",
    [(0, 2), (128, 1), (1024, 1), (1769, 1), (1770, 2), (3008, 2), (10240, 2)],
    ids=lambda v: str(v),
)
def test_lambdas_share_by_memory_rounded_up_and_never_more_than_the_cpus_it_may_run_on(
    two_cpus, tmp_path, memory_mb, expected
):
    assert cpus.available(memory_mb, cgroup_root=tmp_path, proc_cgroup=tmp_path / "none") == expected


def test_six_at_most_as_lambda(monkeypatch, tmp_path):
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: set(range(16)))
    none = tmp_path / "none"
    assert cpus.available(10240, cgroup_root=tmp_path, proc_cgroup=none) == 6
    assert cpus.available(0, cgroup_root=tmp_path, proc_cgroup=none) == 6
    assert cpus.available(5307, cgroup_root=tmp_path, proc_cgroup=none) == 3


def test_affinity_limits_it(monkeypatch, tmp_path):
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: {1})
    assert cpus.available(10240, cgroup_root=tmp_path, proc_cgroup=tmp_path / "none") == 1


@pytest.mark.parametrize(
    "quotas, expected",
    [
        ({"env": "max 100000"}, 2),
        ({"env": "50000 100000"}, 1),  # half a CPU: one thread
        ({"env": "170000 100000"}, 2),  # 1.7 CPUs: two threads run at once most of each period
        ({"parent": "100000 100000", "parent/env": "max 100000"}, 1),  # a parent's quota counts too
    ],
)
def test_a_cgroup_v2_quota_limits_it(two_cpus, tmp_path, quotas, expected):
    proc = v2_tree(tmp_path, quotas)
    assert cpus.available(0, cgroup_root=tmp_path, proc_cgroup=proc) == expected


def test_a_cgroup_v1_quota_limits_it(two_cpus, tmp_path):
    group = tmp_path / "cpu" / "localaws-1" / "env"
    group.mkdir(parents=True)
    (group / "cpu.cfs_quota_us").write_text("57800\n")  # localaws at 1,024 MB
    (group / "cpu.cfs_period_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")  # the root: no quota
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    proc = tmp_path / "proc-cgroup"
    proc.write_text("4:memory:/x\n1:cpu,cpuacct:/localaws-1/env\n0::/\n")
    assert cpus.cgroup_quota(tmp_path, proc) == pytest.approx(0.578)
    assert cpus.available(0, cgroup_root=tmp_path, proc_cgroup=proc) == 1


def test_no_cgroup_file_no_quota(tmp_path):
    assert cpus.cgroup_quota(tmp_path, tmp_path / "missing") is None


@pytest.mark.parametrize(
    "source, size",
    [((3024, 4032), (768, 1024)), ((4000, 3000), (1024, 768)), ((3001, 2001), (1024, 683))],
)
@pytest.mark.parametrize("threads", [2, 3])
def test_a_downscale_in_strips_is_the_same_picture(source, size, threads):
    im = _photo(source)
    alone, strips = _downscale(im, size, 1), _downscale(im, size, threads)
    assert strips.size == alone.size == size and strips.mode == alone.mode
    # The same weights on the same rows: where a strip's edge falls between source rows, a few pixels along it
    # may round differently (Pillow's fixed-point weights are computed from the strip's own box).
    difference = ImageChops.difference(alone, strips)
    assert max(high for _, high in difference.getextrema()) <= 8
    assert max(ImageStat.Stat(difference).mean) < 0.001, "a few pixels at the strips' edges, no more"
