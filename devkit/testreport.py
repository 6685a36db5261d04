"""Where the suite's time goes: a pytest plugin that writes ``build/test-times.json`` after every run.

Loaded by pyproject.toml's ``addopts`` (``-p devkit.testreport``), in the controller only when xdist runs workers
(the workers' reports reach the controller with their durations). The report holds:

- ``total_s``: the session's wall time, collection included, setup of the machine (``make setup``) excluded;
- ``by_directory``: for each directory under ``tests/``, its tests' summed setup + call + teardown time and count;
- ``slowest``: the 25 slowest tests, each with its setup, call and teardown time (a shared fixture's setup is
  paid by the first test that asks for it, so it shows there);
- ``by_group``: each xdist group's tests' time (a group runs on one worker, in order: the longest is the floor
  of the run's wall time), and ``by_worker``: each worker's busy time (unequal sums mean a poor balance);
- ``tests``: every test's time, for a comparison of two runs;
- ``assertions``: for each area (``tests/<area>``), its test functions and the ``assert`` statements and
  ``pytest.raises`` blocks in its files, counted from the sources, so a reviewer can see nothing was dropped;
- ``terraform``: every Terraform command the session ran (the tests', the stacks', ``make demo``'s), by subcommand:
  how many, their seconds, and the CPU seconds of Terraform and of the aws provider (devkit/oneprovider.py writes a
  line for each command to ``build/terraform-commands.jsonl``);
- ``outcomes`` and the machine (cores, load average before and after).

    python -m devkit.testreport            # the last report as a table (make test-report)
    python -m devkit.testreport --record   # and its totals into docs/figures.json, for the README
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from devkit import oneprovider

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "build" / "test-times.json"
SLOWEST = 25
PHASES = ("setup", "call", "teardown")
COMMAND_FIELDS = ("commands", "seconds", "terraform_cpu", "provider_cpu")


def area_of(nodeid: str) -> str:
    """``tests/function/picture/test_fuzz.py::test_y`` -> ``tests/function/picture``."""
    path = nodeid.split("::", 1)[0]
    return str(Path(path).parent)


def count_assertions(tests: Path) -> dict[str, dict[str, int]]:
    """Per area (``tests/<area>``): test functions, ``assert`` statements and ``pytest.raises`` blocks."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for path in sorted(tests.rglob("*.py")):
        relative = path.relative_to(tests.parent)
        area = "/".join(relative.parts[:2]) if len(relative.parts) > 2 else relative.parts[0]
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                counts[area]["asserts"] += 1
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                counts[area]["tests"] += 1
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "raises"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "pytest"
            ):
                counts[area]["raises"] += 1
    return {area: {k: c[k] for k in ("tests", "asserts", "raises")} for area, c in sorted(counts.items())}


class TimingReport:
    """Collects every test's phase durations as the reports arrive, and writes the report at the end."""

    def __init__(self, config: Any, path: Path) -> None:
        self.config = config
        self.path = path
        self.started = time.monotonic()
        self.load_before = os.getloadavg()[0]
        self.cpu_before = cpu_times()
        self.phases: dict[str, dict[str, float]] = defaultdict(dict)
        self.outcomes: Counter[str] = Counter()
        self.workers: dict[str, str] = {}
        # Every Terraform command of the session appends its line here (the workers inherit the variable)
        self.commands = path.with_name("terraform-commands.jsonl")
        self.commands.parent.mkdir(parents=True, exist_ok=True)
        self.commands.write_text("")
        os.environ[oneprovider.LOG] = str(self.commands)

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.phases[report.nodeid][report.when] = round(report.duration, 3)
        node = getattr(report, "node", None)  # xdist: the worker that ran it
        if node is not None:
            self.workers[report.nodeid] = node.gateway.id
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.outcomes[report.outcome] += 1

    def pytest_sessionfinish(self, session: Any, exitstatus: int) -> None:
        self.report = self.build(exitstatus)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.report, indent=2) + "\n")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("where the time went")
        for line in summary(self.report, slowest=10):
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"(all of it in {self.path}; make test-report prints it again)")

    def build(self, exitstatus: int) -> dict[str, Any]:
        totals = {nodeid: round(sum(phases.values()), 3) for nodeid, phases in self.phases.items()}
        directories: dict[str, dict[str, float]] = defaultdict(lambda: {"seconds": 0.0, "tests": 0})
        for nodeid, seconds in totals.items():
            entry = directories[area_of(nodeid)]
            entry["seconds"] = round(entry["seconds"] + seconds, 3)
            entry["tests"] += 1
        slowest = sorted(totals, key=totals.__getitem__, reverse=True)[:SLOWEST]
        groups: dict[str, float] = defaultdict(float)
        workers: dict[str, float] = defaultdict(float)
        for nodeid, seconds in totals.items():
            if "@" in nodeid.rsplit("::", 1)[-1]:  # xdist's loadgroup names a grouped test's group after an @
                groups[nodeid.rsplit("@", 1)[1]] += seconds
            workers[self.workers.get(nodeid, "main")] += seconds
        return {
            "total_s": round(time.monotonic() - self.started, 1),
            "exitstatus": int(exitstatus),
            "arguments": list(self.config.invocation_params.args),
            "workers": getattr(self.config.option, "numprocesses", None) or 0,
            "cores": os.cpu_count(),
            "load": {"before": round(self.load_before, 2), "after": round(os.getloadavg()[0], 2)},
            "cpu_busy": busy_fraction(self.cpu_before, cpu_times()),
            "outcomes": dict(self.outcomes),
            "tests_s": round(sum(totals.values()), 1),  # summed over workers: more than total_s when they overlap
            "by_directory": dict(sorted(directories.items(), key=lambda item: -item[1]["seconds"])),
            "slowest": [{"test": nodeid, "seconds": totals[nodeid], **self.phases[nodeid]} for nodeid in slowest],
            "by_group": {name: round(s, 1) for name, s in sorted(groups.items(), key=lambda item: -item[1])},
            "by_worker": {name: round(s, 1) for name, s in sorted(workers.items())},
            "tests": totals,
            "assertions": count_assertions(Path(self.config.rootpath) / "tests"),
            "terraform": terraform_commands(self.commands),
        }


def terraform_commands(log: Path) -> dict[str, dict[str, float]]:
    """The lines devkit/oneprovider.py wrote, summed by subcommand, with the total under "all"."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(COMMAND_FIELDS, 0.0))
    for line in log.read_text().splitlines() if log.is_file() else []:
        command = json.loads(line)
        for name in (str(command["command"]), "all"):
            entry = totals[name]
            entry["commands"] += 1
            for field in COMMAND_FIELDS[1:]:
                entry[field] = round(entry[field] + command[field], 3)
    return dict(sorted(totals.items(), key=lambda item: -item[1]["seconds"]))


def cpu_times() -> tuple[int, int] | None:
    """The machine's (busy, total) CPU ticks since boot, from /proc/stat (None where there is none)."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_fraction(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """How much of every core the machine kept busy between the two readings: well below 1 means the workers
    spent their time waiting (on the endpoint, on Terraform's polls), and more workers than cores would help."""
    if before is None or after is None or after[1] == before[1]:
        return None
    return round((after[0] - before[0]) / (after[1] - before[1]), 3)


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--test-times", type=Path, default=REPORT, help="where devkit/testreport.py writes its report")


def pytest_configure(config: Any) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the report
        return
    config.pluginmanager.register(TimingReport(config, config.getoption("test_times")), "devkit-testreport")


def summary(report: dict[str, Any], slowest: int = SLOWEST) -> list[str]:
    """The report as lines a person reads."""
    lines = [
        f"{report['total_s']:.0f} s wall time on {report['cores']} cores with {report['workers']} workers "
        f"(tests' own time {report['tests_s']:.0f} s; load {report['load']['before']} -> {report['load']['after']}; "
        f"CPU busy {report.get('cpu_busy')}); "
        + ", ".join(f"{n} {outcome}" for outcome, n in sorted(report["outcomes"].items())),
        "",
        f"{'seconds':>9}  {'tests':>5}  directory",
    ]
    for directory, entry in report["by_directory"].items():
        lines.append(f"{entry['seconds']:9.1f}  {entry['tests']:5d}  {directory}")
    lines += ["", f"{'seconds':>9}  {'setup':>7}  {'call':>7}  slowest test"]
    for entry in report["slowest"][:slowest]:
        lines.append(
            f"{entry['seconds']:9.1f}  {entry.get('setup', 0):7.1f}  {entry.get('call', 0):7.1f}  {entry['test']}"
        )
    lines += ["", "  ".join(f"{name} {s:.0f} s" for name, s in report.get("by_worker", {}).items()) + " (workers)"]
    lines += ["", f"{'seconds':>9}  longest xdist groups"]
    for name, seconds in list(report.get("by_group", {}).items())[:slowest]:
        lines.append(f"{seconds:9.1f}  {name}")
    lines += ["", f"{'commands':>9}  {'seconds':>8}  {'CPU: terraform':>14}  {'provider':>8}  Terraform command"]
    for name, entry in report.get("terraform", {}).items():
        lines.append(
            f"{entry['commands']:9.0f}  {entry['seconds']:8.1f}  {entry['terraform_cpu']:14.1f}  "
            f"{entry['provider_cpu']:8.1f}  {name}"
        )
    lines += ["", f"{'tests':>9}  {'asserts':>7}  {'raises':>7}  area"]
    for area, counted in report["assertions"].items():
        lines.append(f"{counted['tests']:9d}  {counted['asserts']:7d}  {counted['raises']:7d}  {area}")
    return lines


def record(report: dict[str, Any]) -> None:
    """The totals the README quotes, into docs/figures.json (devkit/figures.py rewrites the markers)."""
    from devkit import figures

    command = "make test && make test-report RECORD=1"
    slowest = report["slowest"][0]
    figures.record(
        "test_total_s", report["total_s"], "s", f"{report['total_s'] / 60:.1f} minutes", command, timing=True
    )
    figures.record("test_slowest_s", slowest["seconds"], "s", f"{slowest['seconds']:.0f} s", command, timing=True)
    count = sum(report["outcomes"].values())
    figures.record("test_count", count, "tests", f"{count:,}", command)


def main(argv: list[str]) -> int:
    if not REPORT.is_file():
        print(f"no {REPORT.relative_to(ROOT)}: run make test (or any pytest run) first", file=sys.stderr)
        return 1
    report = json.loads(REPORT.read_text())
    print("\n".join(summary(report)))
    if "--record" in argv:
        if report["exitstatus"] != 0 or report["arguments"]:
            print("only a whole, passing run is recorded: run make test first", file=sys.stderr)
            return 1
        record(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
