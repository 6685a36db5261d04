"""The benchmark harness: ``make bench`` (full) or ``python -m benchmarks.run --smoke`` (tiny, for CI).

Every figure is measured in this run, and targets are ratios between figures of this run, so the results hold
on any machine. Writes a Markdown report and a bar chart (docs/benchmarks.md and docs/benchmarks.png by default),
and, into docs/, the figures README.md and docs/ quote (docs/figures.json, devkit/figures.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from benchmarks import formats, heic, tune
from benchmarks.backfill import section as backfill_section
from benchmarks.contenders import CONTENDERS, FORMAT_CONTENDERS, versions
from devkit import figures
from devkit.images import animated_gif, encode, iphone_heic, rotated_jpeg, scene

ROOT = Path(__file__).resolve().parents[1]
THREE = [1024, 512, 256]
ONE = [256]


@dataclass(frozen=True)
class Input:
    name: str
    path: Path
    contenders: tuple[str, ...] = tuple(CONTENDERS)


@dataclass
class Report:
    machine: dict[str, str]
    times: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (input, sizes, contender) -> ms
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)  # (input, contender) -> bytes, three sizes
    memory: dict[str, float] = field(default_factory=dict)  # contender -> peak MiB
    cold: dict[str, float] = field(default_factory=dict)
    artifacts: dict[str, int] = field(default_factory=dict)


def make_inputs(directory: Path, smoke: bool) -> list[Input]:
    scale = 0.1 if smoke else 1.0

    def px(n: int) -> int:
        return max(64, int(n * scale))

    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "24 MP JPEG (q90)": ("photo-24mp.jpg", lambda: encode(scene(px(6000), px(4000), 11), "JPEG", quality=90)),
        "12 MP PNG": ("photo-12mp.png", lambda: encode(scene(px(4000), px(3000), 12), "PNG", compress_level=6)),
        "4K WebP": ("photo-4k.webp", lambda: encode(scene(px(3840), px(2160), 13), "WEBP", quality=90)),
        "12 MP JPEG, EXIF-rotated": ("photo-rotated.jpg", lambda: rotated_jpeg(px(4000), px(3000), 6, seed=14)),
    }
    # The pictures the project reads beyond the classic four, or makes more of: project and libvips only.
    formats = {
        # As an iPhone lays it out: a grid of 512x512 tiles, a thumbnail item, Display P3 (benchmarks/heic.py
        # measures it beside the encoder's one-image HEIC).
        "12 MP HEIC (iPhone, rotated)": ("photo.heic", lambda: iphone_heic(px(3024), px(4032), 6, seed=15)),
        "12 MP AVIF": ("photo.avif", lambda: encode(scene(px(4000), px(3000), 16), "AVIF", quality=70)),
        "animated GIF, 12 frames 480x320": ("clip.gif", lambda: animated_gif(px(480), px(320), frames=12)),
        "800x800 badge PNG (fits)": ("badge.png", lambda: _badge(px(800))),
    }
    inputs = []
    for group, names in ((files, tuple(CONTENDERS)), (formats, FORMAT_CONTENDERS)):
        for label, (name, make) in group.items():
            path = directory / name
            if not path.exists():
                path.write_bytes(make())
            # pyvips' wheel reads HEIF's AVIF flavour but has no HEVC decoder (libde265): the project alone.
            inputs.append(Input(label, path, ("project",) if name.endswith(".heic") else names))
    return inputs


def _badge(side: int) -> bytes:
    """A design tool's PNG: flat colours, transparent corners; already smaller than the largest size."""
    im = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    draw.ellipse((side // 40, side // 40, side - side // 40, side - side // 40), fill=(30, 120, 200, 255))
    draw.rectangle((side // 3, side // 3, 2 * side // 3, 2 * side // 3), fill=(250, 200, 40, 255))
    return encode(im, "PNG", optimize=True)


def time_contenders(inputs: list[Input], rounds: int, report: Report) -> None:
    """Interleaved: every round runs every contender once on every input, so drift hits all alike."""
    samples: dict[tuple[str, str, str], list[float]] = {}
    plan = [(i, sizes) for i in inputs for sizes in (THREE, ONE)]
    for _ in range(rounds):
        for item, sizes in plan:
            for name in item.contenders:
                started = time.perf_counter()
                made = CONTENDERS[name](item.path, sizes)
                elapsed = (time.perf_counter() - started) * 1000
                samples.setdefault((item.name, ",".join(map(str, sizes)), name), []).append(elapsed)
                if sizes is THREE and made:
                    report.sizes[(item.name, name)] = sum(map(len, made))
    report.times = {key: statistics.median(values) for key, values in samples.items()}


def peak_memory(item: Input, report: Report) -> None:
    """Each contender in a process of its own, on the 24 MP JPEG with three sizes; 'idle' is the imports alone."""
    for name in ["idle", *CONTENDERS]:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.child", name, str(item.path), "1024,512,256"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        report.memory[name] = int(done.stdout.strip()) / 1024


# The handler's cold start, catalogue off: app.catalogue() says so without importing the driver (asserted).
COLD_HANDLER = (
    "import sys, time; sys.path.insert(0, {function!r}); t = time.perf_counter(); import app; app.s3_client(); "
    "assert app.catalogue() is None and 'pymysql' not in sys.modules; print((time.perf_counter() - t) * 1000)"
)
# What turning the catalogue on adds to the first invocation: PyMySQL, the catalogue's modules and a Secrets
# Manager client (the secret's fetch and the login are network time, not measured here).
COLD_CATALOGUE = (
    "import sys, time; sys.path.insert(0, {function!r}); import app; app.s3_client(); t = time.perf_counter(); "
    "from thumbnailer.catalogue import catalogue, credentials; import boto3; boto3.client('secretsmanager'); "
    "print((time.perf_counter() - t) * 1000)"
)
COLD_BOTO3 = (
    "import time; t = time.perf_counter(); import boto3; boto3.client('s3'); print((time.perf_counter() - t) * 1000)"
)


# What turning on each optional format adds to the first invocation: its decoder's import and registration,
# after Pillow itself (which every invocation imports anyway).
COLD_FORMAT = (
    "import sys, time; sys.path.insert(0, {function!r}); import PIL.Image; from thumbnailer.picture import formats; "
    "t = time.perf_counter(); formats.input_formats(({name!r},)); {load}; print((time.perf_counter() - t) * 1000)"
)
LOADS = {"heif": "pass", "avif": "from PIL import AvifImagePlugin; assert AvifImagePlugin.SUPPORTED"}
# What the first CMYK picture of an environment pays: LittleCMS loaded, the fallback profile and its transform built.
COLD_COLOUR = (
    "import sys, time; sys.path.insert(0, {function!r}); from PIL import Image; "
    "from thumbnailer.picture import colour; im = Image.new('CMYK', (64, 64), (0, 160, 255, 0)); "
    "t = time.perf_counter(); colour.managed(im, 'keep'); print((time.perf_counter() - t) * 1000)"
)


def cold_start(runs: int, report: Report) -> None:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "DESTINATION_BUCKET": "thumbnails",  # the client is made with the settings (its ExpectedBucketOwner)
    }
    code = {
        "handler": COLD_HANDLER.format(function=str(ROOT / "function")),
        "boto3": COLD_BOTO3,
        "catalogue": COLD_CATALOGUE.format(function=str(ROOT / "function")),
        "colour": COLD_COLOUR.format(function=str(ROOT / "function")),
    }
    for name, load in LOADS.items():
        code[name] = COLD_FORMAT.format(function=str(ROOT / "function"), name=name, load=load)
    samples: dict[str, list[float]] = {name: [] for name in code}
    for _ in range(runs):
        for name, snippet in code.items():
            done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, check=True, env=env)
            samples[name].append(float(done.stdout))
    report.cold = {name: statistics.median(values) for name, values in samples.items()}


def artifacts(work: Path, report: Report, smoke: bool) -> None:
    sys.path.insert(0, str(ROOT / "modules" / "function"))
    sys.path.insert(0, str(ROOT / "modules" / "layer"))
    import build_function
    import build_layer

    listed = subprocess.run(["git", "ls-files", "function"], capture_output=True, text=True, cwd=ROOT)
    files = (
        [Path(f).relative_to("function").as_posix() for f in listed.stdout.split()]
        if listed.returncode == 0
        else [p.relative_to(ROOT / "function").as_posix() for p in (ROOT / "function").rglob("*.py")]
    )
    report.artifacts["function_zip"] = build_function.write_zip(ROOT / "function", files, work / "function.zip")
    layer_dir = ROOT / "layer"
    base, heif = layer_dir / "requirements.lock", layer_dir / "requirements-heif.lock"
    pruned, avif = layer_dir / "exclude.txt", layer_dir / "exclude-avif.txt"
    lcms = work / "exclude-lcms.txt"  # LittleCMS left out again: what colour management adds to the layer
    lcms.write_text("PIL/_imagingcms.*\npillow.libs/liblcms2-*\n")
    # What the module builds for each extra_formats, and the layer before exclude.txt (what pruning saves).
    layers = {
        "layer": ([base], [pruned, avif]),
        "layer_heif": ([base, heif], [pruned, avif]),
        "layer_avif": ([base], [pruned]),
        "layer_extra_formats": ([base, heif], [pruned]),
        "layer_unpruned": ([base], []),
        "layer_no_lcms": ([base], [pruned, avif, lcms]),
    }
    if smoke:  # the harness still builds both kinds; the full run measures what each format adds
        layers = {name: layers[name] for name in ("layer", "layer_extra_formats")}
    for name, (requirements, exclude) in layers.items():
        layer = work / f"{name}.zip"
        report.artifacts[f"{name}_zip"] = build_layer.build(
            requirements, layer, "python3.13", "x86_64", "lambda", 50_000_000, exclude
        )
        with zipfile.ZipFile(layer) as archive:
            report.artifacts[f"{name}_unzipped"] = sum(i.file_size for i in archive.infolist())


def machine() -> dict[str, str]:
    """The report's header: the machine figures.machine() records for a timing, and the contenders' versions."""
    measured = figures.machine()
    return {
        "CPU": measured["cpu"],
        "cores": str(measured["cores"]),
        "Python": measured["python"],
        **versions(),
        "libvips threads": os.environ.get("VIPS_CONCURRENCY", "default"),
    }


def targets(report: Report) -> list[tuple[str, float, float, str]]:
    """(target, measured, limit, unit): a ratio or a size, and the limit it must stay under."""
    t = report.times
    jpeg3 = ("24 MP JPEG (q90)", "1024,512,256")
    jpeg1 = ("24 MP JPEG (q90)", "256")
    return [
        ("24 MP JPEG, three sizes: project / pyvips", t[(*jpeg3, "project")] / t[(*jpeg3, "pyvips")], 0.5, "x"),
        (
            "24 MP JPEG, three sizes: project / decode floor",
            t[(*jpeg3, "project")] / t[(*jpeg3, "decode-floor")],
            1.3,
            "x",
        ),
        ("24 MP JPEG, one size: project / pyvips", t[(*jpeg1, "project")] / t[(*jpeg1, "pyvips")], 1.0, "x"),
        (
            "peak memory: project / straightforward baseline",
            report.memory["project"] / report.memory["baseline"],
            0.5,
            "x",
        ),
        ("cold start: handler / bare boto3 + client", report.cold["handler"] / report.cold["boto3"], 1.1, "x"),
        ("bytes of the thumbnails, all inputs: project / pyvips", bytes_ratio(report), 1.0, "x"),
        ("function ZIP", report.artifacts["function_zip"] / 1000, 50, "KB"),
        ("layer ZIP", report.artifacts["layer_zip"] / 1e6, 6, "MB"),
    ]


def bytes_ratio(report: Report) -> float:
    """Every input's three thumbnails, in bytes, the project's over libvips' (same format, quality and effort)."""
    inputs = {item for item, name in report.sizes if name == "pyvips"}
    return sum(report.sizes[(i, "project")] for i in inputs) / sum(report.sizes[(i, "pyvips")] for i in inputs)


def markdown(report: Report, rounds: int, smoke: bool) -> str:
    lines = ["# Benchmarks", ""]
    if smoke:
        lines += ["**Smoke run** (tiny inputs, one round): checks the harness works; the figures mean nothing.", ""]
    lines += [
        f"Measured by `make bench` ({rounds} interleaved rounds, median) on: "
        + ", ".join(f"{k} {v}" for k, v in report.machine.items())
        + ".",
        "",
    ]
    lines += ["## Targets", "", "| target | measured | limit | |", "|---|---:|---:|---|"]
    for name, value, limit, unit in targets(report):
        verdict = "met" if value <= limit else f"**missed by {value / limit:.2f}x**"
        lines.append(f"| {name} | {value:.2f} {unit} | {limit} {unit} | {verdict} |")
    lines += ["", "## Speed (ms per image, median; ratio to the project's core)", ""]
    inputs = list(dict.fromkeys(k[0] for k in report.times))
    names = list(CONTENDERS)
    lines += ["| input | sizes | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(names)]
    for item in inputs:
        for sizes in ("1024,512,256", "256"):
            mine = report.times[(item, sizes, "project")]
            cells = [
                f"{report.times[(item, sizes, n)]:.1f} ({report.times[(item, sizes, n)] / mine:.2f}x)"
                if (item, sizes, n) in report.times
                else "—"
                for n in names
            ]
            lines.append(f"| {item} | {sizes} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Bytes of the three thumbnails (1024, 512, 256; same format, quality and effort as libvips)",
        "",
        "| input | project | pyvips | ratio |",
        "|---|---:|---:|---:|",
    ]
    for item in inputs:
        if (item, "pyvips") in report.sizes:
            mine, theirs = report.sizes[(item, "project")], report.sizes[(item, "pyvips")]
            lines.append(f"| {item} | {mine:,} | {theirs:,} | {mine / theirs:.2f} |")
    lines += [
        "",
        "## Peak resident memory (24 MP JPEG, three sizes, each in its own process)",
        "",
        "| contender | peak MiB | above the imports alone | ratio to baseline |",
        "|---|---:|---:|---:|",
    ]
    idle = report.memory["idle"]
    for name in names:
        mib = report.memory[name]
        lines.append(f"| {name} | {mib:.0f} | {mib - idle:.0f} | {mib / report.memory['baseline']:.2f} |")
    lines.append(f"| (imports alone) | {idle:.0f} | 0 | |")
    lines += [
        "",
        "## Cold start (fresh interpreter, median ms)",
        "",
        f"- import the handler module and make its S3 client: {report.cold['handler']:.0f} ms",
        f"- bare `import boto3` and one client: {report.cold['boto3']:.0f} ms",
        f"- ratio: {report.cold['handler'] / report.cold['boto3']:.2f}",
        f'- added on the first invocation by extra_formats "heif" (import pi-heif, register it): '
        f'{report.cold["heif"]:.0f} ms; by "avif" (Pillow\'s AVIF plugin and libavif): {report.cold["avif"]:.0f} ms',
        f"- added on the first invocation by the catalogue (database set: PyMySQL, the catalogue's modules, a "
        f"Secrets Manager client): {report.cold['catalogue']:.0f} ms; without it the handler never imports them",
        f"- added by the first CMYK picture of an environment (LittleCMS, the fallback profile, its transform): "
        f"{report.cold['colour']:.0f} ms; a picture without a profile never loads LittleCMS",
        "",
        "## Artifacts (default runtime python3.13, x86_64)",
        "",
        f"- function ZIP: {report.artifacts['function_zip']:,} bytes",
        f"- layer ZIP: {report.artifacts['layer_zip']:,} bytes zipped, "
        f"{report.artifacts['layer_unzipped']:,} bytes unzipped",
        f'- layer ZIP with extra_formats = ["heif", "avif"]: {report.artifacts["layer_extra_formats_zip"]:,} '
        f"bytes zipped, {report.artifacts['layer_extra_formats_unzipped']:,} bytes unzipped",
        "",
        "## Notes",
        "",
        "- Every contender writes the same format, quality and compression effort (JPEG with optimised Huffman "
        "tables); libvips runs on one thread (`VIPS_CONCURRENCY=1`), as a Lambda function of up to 1769 MB has "
        "one vCPU. HEIC, AVIF, animation and the badge are measured against libvips only: the plain Pillow "
        "contenders cannot read HEIC without a plugin, and would make a still of an animation.",
        "- The badge already fits 1024: the project writes it no bigger than its source (docs/formats.md); "
        "libvips re-encodes it.",
        "- *decode-floor* only decodes, at the scale the project decodes at: the least any Pillow approach "
        "can spend. What the project adds to it for three sizes is mostly one bicubic resample of the "
        "1/4-scale decode (1500x1000 to 1024x683): no power-of-two DCT scale lands closer. libjpeg-turbo's "
        "M/8 scaling would, but Pillow does not expose it. The smaller sizes are box reductions of the "
        "previous one.",
        "- The one-size and decode-floor ratios are decode-bound and sit a few percent from their limits; "
        "on a busy machine a run can cross them. Peak memory counts the whole process, imports included.",
        "",
        "![speed chart](benchmarks.png)",
        "",
    ]
    return "\n".join(lines)


def chart(report: Report, path: Path) -> None:
    """Horizontal bars, ms per image, one group per input and size set."""
    names = list(CONTENDERS)
    colours = {
        "project": (30, 120, 200),
        "baseline": (200, 80, 60),
        "pillow-thumbnail": (230, 160, 40),
        "pyvips": (90, 160, 90),
        "decode-floor": (150, 150, 150),
    }
    groups = list(dict.fromkeys((k[0], k[1]) for k in report.times))
    bar, gap, left, width = 14, 18, 330, 900
    height = 40 + len(groups) * (len(names) * bar + gap) + 30
    im = Image.new("RGB", (left + width + 120, height), "white")
    draw = ImageDraw.Draw(im)
    top = max(report.times.values())
    y = 30
    draw.text(
        (10, 8),
        "ms per image (median), shorter is better; " + ", ".join(f"{k} {v}" for k, v in report.machine.items()),
        fill="black",
    )
    for item, sizes in groups:
        draw.text((10, y + 2), f"{item} [{sizes}]", fill="black")
        for name in names:
            if (item, sizes, name) not in report.times:
                y += bar
                continue
            value = report.times[(item, sizes, name)]
            length = int(width * value / top)
            draw.rectangle((left, y, left + max(1, length), y + bar - 3), fill=colours[name])
            draw.text((left + length + 6, y), f"{name} {value:.1f}", fill="black")
            y += bar
        y += gap
    im.save(path)


def _mb(size: int, digits: int = 2, sign: str = "") -> str:
    return f"{sign}{size / 1e6:.{digits}f} MB"


def figures_of(report: Report) -> list[tuple[str, float | int, str, str, bool]]:
    """(name, value, unit, text, timing) of every figure the documents quote from this run."""
    cold, sizes = report.cold, report.artifacts
    found: list[tuple[str, float | int, str, str, bool]] = [
        (f"cold_start_{name}_ms", round(cold[name], 1), "ms", f"{cold[name]:.0f} ms", True)
        for name in ("handler", "boto3", "heif", "avif", "catalogue", "colour")
    ]
    budget = cold["boto3"] * 0.1  # the target: the handler's cold start at most 1.1 x bare boto3's
    found.append(("cold_start_budget_ms", round(budget, 1), "ms", f"{budget:.0f} ms", True))
    found += [
        ("function_zip_bytes", sizes["function_zip"], "bytes", f"{sizes['function_zip'] / 1000:.1f} KB", False),
        ("layer_zip_bytes", sizes["layer_zip"], "bytes", _mb(sizes["layer_zip"]), False),
        ("layer_unzipped_bytes", sizes["layer_unzipped"], "bytes", _mb(sizes["layer_unzipped"], 1), False),
        ("layer_unpruned_zip_bytes", sizes["layer_unpruned_zip"], "bytes", _mb(sizes["layer_unpruned_zip"], 1), False),
        ("layer_pruned_zip_bytes", sizes["layer_zip"], "bytes", _mb(sizes["layer_zip"], 1), False),
    ]
    lcms = sizes["layer_zip"] - sizes["layer_no_lcms_zip"]
    found.append(("layer_lcms_added_zip_bytes", lcms, "bytes", f"+{lcms / 1000:.0f} KB", False))
    for name in ("extra_formats", "heif", "avif"):
        zipped, unzipped = sizes[f"layer_{name}_zip"], sizes[f"layer_{name}_unzipped"]
        if name == "extra_formats":
            found.append((f"layer_{name}_zip_bytes", zipped, "bytes", _mb(zipped), False))
            found.append((f"layer_{name}_unzipped_bytes", unzipped, "bytes", _mb(unzipped, 1), False))
        else:  # what the format adds to the default layer
            added, added_unzipped = zipped - sizes["layer_zip"], unzipped - sizes["layer_unzipped"]
            found.append((f"layer_{name}_added_zip_bytes", added, "bytes", _mb(added, 2, "+"), False))
            found.append(
                (f"layer_{name}_added_unzipped_bytes", added_unzipped, "bytes", _mb(added_unzipped, 1, "+"), False)
            )
    badge = "800x800 badge PNG (fits)"
    if (badge, "pyvips") in report.sizes:
        larger = (report.sizes[(badge, "pyvips")] / report.sizes[(badge, "project")] - 1) * 100
        found.append(("badge_reencoded_larger_percent", round(larger, 1), "%", f"{larger:.0f}%", False))
    return found


def record_figures(report: Report) -> None:
    """Write the figures README.md and docs/ quote from this run (devkit/figures.py)."""
    for name, value, unit, text, timing in figures_of(report):
        figures.record(name, value, unit, text, "make bench", timing=timing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, one round: proves the harness runs")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--output", type=Path, default=ROOT / "docs", help="where benchmarks.md/.png go")
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else args.rounds
    report = Report(machine())
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        work_dir = Path(work)
        inputs = make_inputs(work_dir / "inputs", args.smoke)
        print(f"timing {len(CONTENDERS)} contenders on {len(inputs)} inputs, {rounds} round(s)...", flush=True)
        time_contenders(inputs, rounds, report)
        print("peak memory...", flush=True)
        peak_memory(inputs[0], report)
        print("cold start...", flush=True)
        cold_start(2 if args.smoke else 15, report)
        print("artifacts...", flush=True)
        artifacts(work_dir, report, args.smoke)
    args.output.mkdir(parents=True, exist_ok=True)
    if not args.smoke and args.output.resolve() == (ROOT / "docs").resolve():
        record_figures(report)
    text = markdown(report, rounds, args.smoke) + backfill_section() + "\n" + tune.docs_section()
    text += "\n" + heic.section() + "\n" + formats.section()
    (args.output / "benchmarks.md").write_text(text)
    chart(report, args.output / "benchmarks.png")
    (args.output / "benchmarks.json").write_text(
        json.dumps(
            {
                "times": {" | ".join(k): v for k, v in report.times.items()},
                "memory": report.memory,
                "cold": report.cold,
                "artifacts": report.artifacts,
                "bytes": {" | ".join(k): v for k, v in report.sizes.items()},
                "machine": report.machine,
            },
            indent=2,
        )
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
