"""devkit/testreport.py: every pytest run says where its time went (build/test-times.json, make test-report)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devkit import testreport
from devkit.stack import ROOT

SUITE = {
    "tests/fast/test_fast.py": (
        "import json, os\n"
        "def test_quick():\n"
        "    assert 1 + 1 == 2\n"
        "def test_runs_terraform():\n"  # as devkit/oneprovider.py does for each command, from a worker
        "    line = {'command': 'plan', 'exit': 0, 'seconds': 2.0, 'terraform_cpu': 1.5, 'provider_cpu': 0.25}\n"
        "    with open(os.environ['THUMBNAILS_TERRAFORM_LOG'], 'a') as log:\n"
        "        log.write(json.dumps(line) + '\\n')\n"
    ),
    "tests/slow/test_slow.py": (
        "import time, pytest\n"
        "@pytest.fixture\n"
        "def expensive():\n"
        "    time.sleep(0.3)\n"  # a fixture's setup: reported as the test's setup time
        "@pytest.mark.xdist_group('slow-pair')\n"
        "def test_pays_for_the_fixture(expensive):\n"
        "    assert expensive is None\n"
        "@pytest.mark.xdist_group('slow-pair')\n"
        "def test_waits():\n"
        "    time.sleep(0.2)\n"
        "    with pytest.raises(ZeroDivisionError):\n"
        "        1 / 0\n"
        "def test_fails():\n"
        "    assert False, 'on purpose'\n"
    ),
}


def test_a_run_reports_its_wall_time_directories_slowest_tests_and_assertions(tmp_path: Path):
    for name, text in SUITE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    report_path = tmp_path / "times.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "devkit.testreport", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadgroup", "--test-times", str(report_path), "-o", "addopts=", "tests"],
        cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # the failing test fails the run
    assert "where the time went" in done.stdout
    report = json.loads(report_path.read_text())
    assert report["outcomes"] == {"passed": 4, "failed": 1} and report["exitstatus"] == 1 and report["workers"] == 2
    assert report["total_s"] >= 0.25, "two workers: at least the longer worker's time"
    assert list(report["by_directory"]) == ["tests/slow", "tests/fast"]
    assert report["by_directory"]["tests/slow"]["tests"] == 3 and report["by_directory"]["tests/slow"]["seconds"] >= 0.5
    slowest = report["slowest"][0]
    assert slowest["test"] == "tests/slow/test_slow.py::test_pays_for_the_fixture@slow-pair" and slowest["setup"] >= 0.3
    assert list(report["by_group"]) == ["slow-pair"] and report["by_group"]["slow-pair"] >= 0.5, "its two tests' time"
    assert set(report["by_worker"]) <= {"gw0", "gw1"}
    assert abs(sum(report["by_worker"].values()) - report["tests_s"]) < 0.1, "every test's time on the worker it ran on"
    assert len(report["tests"]) == 5 and report["tests"][slowest["test"]] == slowest["seconds"]
    assert {"setup", "call", "teardown"} <= set(slowest)
    assert testreport.count_assertions(tmp_path / "tests") == report["assertions"]
    assert 0 <= report["cpu_busy"] <= 1, "the share of the machine's CPU the run kept busy"
    plan = {"commands": 1, "seconds": 2.0, "terraform_cpu": 1.5, "provider_cpu": 0.25}
    assert report["terraform"] == {"plan": plan, "all": plan}, "the workers' Terraform commands, summed"


def test_cpu_busy_is_the_share_of_ticks_not_idle():
    before, after = testreport.cpu_times(), (0, 0)
    assert before is not None and before[0] <= before[1], "read from /proc/stat on Linux"
    assert testreport.busy_fraction((100, 400), (250, 600)) == 0.75
    assert testreport.busy_fraction(None, after) is None and testreport.busy_fraction((1, 2), (1, 2)) is None


def test_assertions_are_counted_per_area_from_the_sources(tmp_path: Path):
    tests = tmp_path / "tests"
    (tests / "function" / "picture").mkdir(parents=True)
    (tests / "conftest.py").write_text("def helper():\n    assert True\n")
    (tests / "function" / "picture" / "test_a.py").write_text(
        "import pytest\ndef test_a():\n    assert 1\n    assert 2\n    with pytest.raises(ValueError):\n        pass\n"
    )
    assert testreport.count_assertions(tests) == {
        "tests": {"tests": 0, "asserts": 1, "raises": 0},
        "tests/function": {"tests": 1, "asserts": 2, "raises": 1},
    }


def test_the_report_reads_as_a_table():
    report = {
        "total_s": 600.0, "cores": 2, "workers": 2, "tests_s": 1100.0, "load": {"before": 0.1, "after": 1.9},
        "outcomes": {"passed": 2}, "by_directory": {"tests/e2e": {"seconds": 900.0, "tests": 2}},
        "slowest": [{"test": "tests/e2e/test_x.py::test_y", "seconds": 500.0, "setup": 400.0, "call": 100.0}],
        "assertions": {"tests/e2e": {"tests": 2, "asserts": 9, "raises": 0}},
    }  # fmt: skip
    lines = testreport.summary(report)
    assert lines[0].startswith("600 s wall time on 2 cores with 2 workers") and "2 passed" in lines[0]
    assert any(line.split() == ["900.0", "2", "tests/e2e"] for line in lines)
    assert any(line.split() == ["500.0", "400.0", "100.0", "tests/e2e/test_x.py::test_y"] for line in lines)
    assert any(line.split() == ["2", "9", "0", "tests/e2e"] for line in lines)
