"""CPU in proportion to memory, as Lambda allots it (localaws/cpu.py): the quota each memory size gets, where it is
written (cgroup v1 or v2), that localaws says when it cannot limit CPU, and a function at 256 MB taking several
times as long as at 1,769 MB on the same work."""

from __future__ import annotations

import json
import logging
import statistics

import pytest

from localaws import cpu

V1_FILES = ("cpu.cfs_quota_us", "cpu.cfs_period_us", "cgroup.procs")


@pytest.mark.parametrize(
    ("memory_mb", "cores", "quota_us"),
    [
        (128, 2, 7236),  # 128/1769 of a core
        (256, 2, 14471),
        (1769, 2, 100_000),  # one vCPU
        (3008, 2, 170_040),
        (10240, 2, 200_000),  # capped at this machine's two cores
        (10240, 8, 578_858),  # Lambda's 5.79 vCPUs at 10,240 MB
        (10240, 64, 578_858),
    ],
)
def test_a_memory_size_buys_its_share_of_a_core(tmp_path, memory_mb, cores, quota_us):
    assert cpu.CpuQuota(tmp_path, 1, cores).quota_us(memory_mb) == quota_us


def test_cgroup_v1_a_group_of_its_own_with_the_quota(tmp_path):
    hierarchy = tmp_path / "cpu"
    hierarchy.mkdir()
    (hierarchy / "cpu.cfs_quota_us").write_text("-1")
    found = cpu.find(tmp_path, cores=2)
    assert found is not None and found.version == 1 and found.parent.parent == hierarchy
    group = found.create(256)
    assert (group / "cpu.cfs_quota_us").read_text() == "14471"
    assert (group / "cpu.cfs_period_us").read_text() == "100000"
    assert (group / "cpu.shares").read_text() == str(round(1024 * 16 * 256 / 1769)), "16 processes' weight per vCPU"
    assert (found.parent / "cpu.shares").read_text() == str(1024 * 16 * 2), "its parent's: all the machine's cores"


def test_cgroup_v2_the_quota_goes_into_the_memory_group(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids")
    memory_parent = tmp_path / "localaws-memory"
    memory_parent.mkdir()
    found = cpu.find(tmp_path, memory_parent=memory_parent, cores=2)
    assert found is not None and found.shared and found.version == 2
    assert (memory_parent / "cgroup.subtree_control").read_text() == "+cpu"
    group = memory_parent / "environment"
    group.mkdir()
    found.limit(group, 1769)
    assert (group / "cpu.max").read_text() == "100000 100000"


def test_without_a_cpu_controller_it_says_cpu_is_not_limited(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="localaws"):
        assert cpu.find(tmp_path) is None
    assert "CPU is not limited by memory_size here" in caplog.text
    assert list(tmp_path.iterdir()) == [], "nothing left behind"


def test_this_machine_limits_cpu_and_says_so(caplog):
    with caplog.at_level(logging.INFO, logger="localaws"):
        found = cpu.find()
    assert found is not None, "this machine mounts a writable CPU cgroup; if yours does not, say so here"
    assert "CPU is limited by memory_size with cgroup" in caplog.text
    cpu.release(found)


# A CPU-bound workload in four threads (hashlib releases the GIL on large buffers), as a thumbnailer's encoders
# may use several. The quota holds the 256 MB environment at 0.145 of a core whatever the load; the 1,769 MB one
# gets its core on a busy machine thanks to its group's weight (cpu.py's WEIGHT_PER_VCPU: without it, under a load
# of 14 on this machine's 2 cores, it got a third of a core and the ratio was 2.3).
BUSY = """
import hashlib, time
from concurrent.futures import ThreadPoolExecutor

def work(rounds):
    data = bytes(1 << 20)
    for _ in range(rounds):
        data = hashlib.sha256(data).digest() * 32768
    return data[:4]

def handler(event, context):
    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, [event["rounds"]] * 4))
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}
"""


def test_a_256_mb_function_takes_several_times_as_long_as_a_1769_mb_one(deploy, client):
    """The same work at 256 MB (0.145 of a core) and at 1,769 MB (one core), alternated and warm (the first of
    each left out): on an idle machine the ratio is 1769/256 = 6.9; the assertion asks for more than three."""
    lam = client("lambda")
    for memory in (256, 1769):
        deploy(f"busy-{memory}", BUSY, timeout=60, memory=memory)
    times: dict[int, list[float]] = {256: [], 1769: []}
    for _ in range(4):
        for memory in (256, 1769):
            answer = lam.invoke(FunctionName=f"busy-{memory}", Payload=json.dumps({"rounds": 100}))
            result = json.loads(answer["Payload"].read())
            times[memory].append(result["wall"])
    slow, fast = statistics.median(times[256][1:]), statistics.median(times[1769][1:])
    assert slow / fast > 3, f"256 MB: {times[256]}, 1769 MB: {times[1769]} (seconds)"
