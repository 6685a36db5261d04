"""`make bench` in smoke mode (tiny inputs, one round), so the harness cannot rot. Figures are not asserted:
speed targets are ratios printed by the full run, never a timed test."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from PIL import Image

from devkit.stack import ROOT


def test_smoke_run_writes_the_report_and_the_chart(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--output", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    report = (tmp_path / "benchmarks.md").read_text()
    for section in ("## Targets", "## Speed", "## Bytes", "## Peak resident memory", "## Cold start", "## Artifacts"):
        assert section in report
    for contender in ("project", "baseline", "pillow-thumbnail", "pyvips", "decode-floor"):
        assert f"| {contender} |" in report
    figures = json.loads((tmp_path / "benchmarks.json").read_text())
    assert len(figures["times"]) == 4 * 2 * 5 + 2 + 3 * 2 * 2, (
        "4 classic inputs x 2 size sets x 5 contenders; HEIC: the project alone; AVIF, animation, badge: and pyvips"
    )
    assert set(figures["bytes"]) >= {"800x800 badge PNG (fits) | project", "800x800 badge PNG (fits) | pyvips"}
    assert figures["cold"]["heif"] > 0 and figures["cold"]["avif"] > 0 and figures["cold"]["catalogue"] > 0
    assert figures["artifacts"]["layer_extra_formats_zip"] > figures["artifacts"]["layer_zip"]
    assert all(value > 0 for value in figures["times"].values())
    assert figures["memory"]["baseline"] > figures["memory"]["idle"] > 0
    assert 0 < figures["artifacts"]["function_zip"] < figures["artifacts"]["layer_zip"]
    with Image.open(tmp_path / "benchmarks.png") as chart:
        assert chart.format == "PNG" and chart.width > 800


def test_the_containment_benchmark_runs_and_prints_its_figures():
    """benchmarks/containment.py (what a contained decode costs) in one short round, printing, recording nothing."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.containment", "--runs", "1", "--no-record"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert re.fullmatch(r"in process [\d.]+ ms, contained [\d.]+ ms, cost -?[\d.]+ ms per picture\n", done.stdout)
