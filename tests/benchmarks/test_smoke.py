"""`make bench` in smoke mode (tiny inputs, one round), so the harness cannot rot. Figures are not asserted:
speed targets are ratios printed by the full run, never a timed test."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

from PIL import Image

from benchmarks import formats, run
from devkit import figures as recorded
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

    report = run.Report(
        machine={},
        cold=figures["cold"],
        # a smoke run builds the default layer and the one with both formats, not each format's, the unpruned or the
        # one without LittleCMS
        artifacts={
            **{
                f"layer_{name}_{kind}": figures["artifacts"][f"layer_{kind}"]
                for name in ("heif", "avif", "unpruned", "no_lcms")
                for kind in ("zip", "unzipped")
            },
            **figures["artifacts"],
        },
        sizes={tuple(key.split(" | ")): size for key, size in figures["bytes"].items()},
    )
    made = {name for name, *_ in run.figures_of(report)}
    quoted = {name for name, figure in recorded.load().items() if figure.command == "make bench"}
    assert quoted <= made, f"docs/figures.json has figures make bench no longer measures: {sorted(quoted - made)}"
    assert "layer_unpruned_zip_bytes" in made and "cold_start_catalogue_ms" in made


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


def test_the_formats_benchmark_measures_every_format_of_every_input(tmp_path):
    """benchmarks/formats.py on the smoke inputs (a tenth of the size), one run: every format's thumbnails decode as
    that format, a progressive JPEG has a first scan and a baseline one has not, and each table has a row per input
    (the bytes table one, the progressive table one per size)."""
    inputs = run.make_inputs(tmp_path, smoke=True)
    sizes = run.THREE
    measured = formats.measure(inputs, sizes, runs=1)

    pillow = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG", "jpeg (progressive)": "JPEG", "png": "PNG"}
    assert set(measured.data) == {(i.name, c, s) for i in inputs for c in pillow for s in sizes}
    for (item, column, size), data in measured.data.items():
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            assert im.format == pillow[column] and max(im.size) <= size, (item, column, size)
        scan = formats.first_scan_end(data) if im.format == "JPEG" else None
        assert (scan is not None and 0 < scan < len(data)) if column == formats.PROGRESSIVE else scan is None
    assert all(value > 0 for value in [*measured.encode_ms.values(), *measured.decode_ms.values()])

    text = formats.section(measured)
    by_format, progressive = text.split("## Progressive JPEG")
    for item in inputs:
        assert by_format.count(f"| {item.name} |") == 1 and progressive.count(f"| {item.name} |") == len(sizes)
    assert "**Default: baseline**" in text or "**Default: progressive**" in text
    made = {name for name, *_ in formats.figures_of(measured)}
    quoted = {name for name, figure in recorded.load().items() if figure.command == formats.COMMAND}
    assert quoted <= made, (
        f"docs/figures.json has figures {formats.COMMAND} no longer measures: {sorted(quoted - made)}"
    )


def test_the_heic_benchmark_runs_on_small_pictures(tmp_path):
    """`make bench-heic` on pictures an eighth of the size, one round: every case at every CPU count this machine
    has, and the ratios the issue's targets read."""
    from benchmarks import heic

    subprocess.run(
        [sys.executable, "-m", "benchmarks.heic", "--small", "--rounds", "1", "--pictures", str(tmp_path)]
        + ["--output", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads((tmp_path / "heic.json").read_text())
    assert set(measured["cpus"]) == {str(n) for n in heic.cpu_counts()}
    for cases in measured["cpus"].values():
        assert set(cases) == {"jpeg", "libheif iphone", "function iphone", "libheif single", "function single"} | {
            "planes iphone",  # libheif's decode to YCbCr planes: the function's own decode step
            "ffmpeg iphone",  # for comparison: FFmpeg's HEVC decoder on the same tiles
        }
        assert all(case["median"] > 0 and case["cpu"] > 0 for case in cases.values())
    assert {"heic_vs_jpeg", "function_vs_planes_1", "ffmpeg_vs_libheif", "ffmpeg_vs_jpeg"} <= set(heic.ratios(measured))
    assert "libheif's decode to YCbCr planes (its own decode step), 1 CPU(s)" in (tmp_path / "heic.md").read_text()
    assert "| function, iPhone layout | 1 |" in (tmp_path / "heic.md").read_text()
    assert "FFmpeg's HEVC decoder on the same tiles, one CPU" in (tmp_path / "heic.md").read_text()


def test_the_previews_benchmark_runs_in_smoke_mode():
    """`python -m benchmarks.previews --smoke` (one run, no layers built, nothing recorded): a cold start and a time
    per preview for PDF and video, each from real corpus files."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.previews", "--smoke"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    printed = dict(re.findall(r"^(previews\.\w+): ([0-9.]+) ms$", done.stdout, re.M))
    assert set(printed) == {"previews.pdf_cold_ms", "previews.video_cold_ms", "previews.pdf_ms", "previews.video_ms"}
    assert all(float(ms) > 0 for ms in printed.values())
    assert len(re.findall(r"\.(pdf|mp4|mov|webm): [0-9]+ ms", done.stderr)) == 6, done.stderr


def test_the_on_demand_benchmark_makes_a_first_request(tmp_path):
    """`make bench-on-demand` in smoke mode: this project's side alone (no npm), a small picture, one round."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.on_demand", "--smoke"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1])["ours_ms"] > 0
