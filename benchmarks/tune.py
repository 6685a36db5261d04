"""`make tune`: the memory size at which thumbnails are cheapest, measured on localaws without an AWS account.

Runs pictures (the benchmark inputs by default, or every file of ``--pictures DIR``) through the deployed function
at several memory sizes (``--memory``, default 512, 1024, 1769 and 3008 MB): localaws gives each size the CPU
Lambda would (cpu.py: memory/1769 cores), and reports Lambda's ``Billed Duration`` and ``Max Memory Used``. Prints,
per picture and size, the median and p95 billed duration, the peak memory and the cost per million uploads on
x86_64 and arm64 at Lambda's prices (benchmarks/prices.py, with the date they were read); names the cheapest and
the fastest size; draws cost against duration (``build/tune/tune.png``).

Without ``--endpoint`` it starts localaws and applies ``examples/complete`` to it (then destroys it); with
``--endpoint URL --function NAME --bucket BUCKET`` it uses a stack already applied there (``make demo KEEP=1``).
The pictures are uploaded under the function's read prefix with a ``.tune`` suffix, so the bucket's notification
does not fire, and each measurement is a synchronous invocation with an S3 event; the function's memory size is
put back and its thumbnails of them removed at the end.

    make tune                                   # benchmark inputs, default sizes, 5 runs each
    make tune TUNE_ARGS="--pictures ~/photos --memory 256,512,1024,2048 --repeat 9"
    make tune TUNE_ARGS="--documented --write-docs"  # the table of docs/benchmarks.md (figure tune.table)
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import re
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3

from benchmarks import prices

ROOT = Path(__file__).resolve().parents[1]
MEMORY_SIZES = (512, 1024, 1769, 3008)
COMMAND = "make tune TUNE_ARGS='--documented --write-docs'"
# The pictures the table in docs/benchmarks.md shows (benchmark inputs by their label).
DOCUMENTED = {
    "12 MP JPEG, EXIF-rotated": "12 MP phone photo (JPEG, EXIF-rotated)",
    "24 MP JPEG (q90)": "24 MP JPEG",
    "12 MP HEIC (iPhone, rotated)": "12 MP iPhone photo (HEIC: 512x512 grid, Display P3, rotated)",
}
HEIC = "12 MP HEIC (iPhone, rotated)"
JPEG = "24 MP JPEG (q90)"
_REPORT = re.compile(r"Billed Duration: (?P<billed>\d+) ms.*?(?:Max Memory Used: (?P<used>\d+) MB)?", re.S)


@dataclass(frozen=True)
class Row:
    picture: str
    memory_mb: int
    median_ms: float
    p95_ms: float
    max_memory_mb: int
    errors: int

    def cost(self, architecture: str) -> float:
        return prices.cost_per_million(self.median_ms, self.memory_mb, architecture)


def report_of(tail: str) -> tuple[int, int] | None:
    """(billed ms, max memory MB) from an invocation's log tail: Lambda's REPORT line or its JSON platform.report."""
    for line in reversed(tail.splitlines()):
        if '"platform.report"' in line:
            try:
                metrics = json.loads(line)["record"]["metrics"]
            except (ValueError, KeyError):
                continue
            return int(metrics["billedDurationMs"]), int(metrics.get("maxMemoryUsedMB", 0))
        if line.startswith("REPORT ") and (found := _REPORT.search(line)):
            return int(found["billed"]), int(found["used"] or 0)
    return None


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]


def s3_event(bucket: str, key: str, size: int, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": "1970-01-01T00:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": size, "sequencer": "0" * 18},
                },
            }
        ]
    }


class Tuner:
    def __init__(self, endpoint: str, function: str, bucket: str, prefix: str, region: str = "us-east-1") -> None:
        self.function, self.bucket, self.prefix, self.region = function, bucket, prefix, region

        def client(service: str) -> Any:
            return boto3.client(
                service,
                endpoint_url=endpoint,
                region_name=region,
                aws_access_key_id="localaws",
                aws_secret_access_key="localaws",
            )

        self.lam, self.s3 = client("lambda"), client("s3")

    def invoke(self, key: str, size: int) -> tuple[int, int] | None:
        """One synchronous invocation: (billed ms, max memory MB), or None if it failed."""
        answer = self.lam.invoke(
            FunctionName=self.function,
            Payload=json.dumps(s3_event(self.bucket, key, size, self.region)).encode(),
            LogType="Tail",
        )
        tail = base64.b64decode(answer.get("LogResult", "")).decode("utf-8", "replace")
        if answer.get("FunctionError"):
            print(f"  {key}: {answer['FunctionError']} {answer['Payload'].read()[:200]!r}", file=sys.stderr)
            return None
        return report_of(tail)

    def run(self, pictures: list[tuple[str, Path]], memories: list[int], repeat: int) -> list[Row]:
        original = self.lam.get_function_configuration(FunctionName=self.function)["MemorySize"]
        keys = {}
        for label, path in pictures:
            key = f"{self.prefix}tune/{path.name}.tune"  # no notification suffix matches it
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=path.read_bytes())
            keys[label] = (key, path.stat().st_size)
        rows = []
        try:
            for memory in memories:
                self.lam.update_function_configuration(FunctionName=self.function, MemorySize=memory)
                first_key, first_size = next(iter(keys.values()))
                self.invoke(first_key, first_size)  # the cold start of the new configuration: not counted
                for label, (key, size) in keys.items():
                    runs = [self.invoke(key, size) for _ in range(repeat)]
                    good = [r for r in runs if r is not None]
                    billed = [float(b) for b, _ in good] or [float("nan")]
                    rows.append(
                        Row(
                            label,
                            memory,
                            statistics.median(billed),
                            p95(billed),
                            max((m for _, m in good), default=0),
                            len(runs) - len(good),
                        )
                    )
                    print(f"  {memory:>5} MB  {label}: {statistics.median(billed):.0f} ms", file=sys.stderr)
        finally:
            self.lam.update_function_configuration(FunctionName=self.function, MemorySize=original)
            for key, _ in keys.values():
                self.s3.delete_object(Bucket=self.bucket, Key=key)
        return rows


def cheapest(rows: list[Row], architecture: str = "x86_64") -> int:
    """The memory size whose cost, summed over the pictures, is lowest."""
    by_size: dict[int, float] = {}
    for row in rows:
        by_size[row.memory_mb] = by_size.get(row.memory_mb, 0.0) + row.cost(architecture)
    return min(by_size, key=lambda m: (by_size[m], m))


def fastest(rows: list[Row]) -> int:
    by_size: dict[int, float] = {}
    for row in rows:
        by_size[row.memory_mb] = by_size.get(row.memory_mb, 0.0) + row.median_ms
    return min(by_size, key=lambda m: (by_size[m], m))


def table(rows: list[Row], names: dict[str, str] | None = None) -> str:
    """The Markdown table: one line per picture and memory size."""
    lines = [
        "| picture | memory | billed median | billed p95 | max memory used | x86_64 per 1M | arm64 per 1M |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        label = (names or {}).get(row.picture, row.picture)
        failed = f" ({row.errors} failed)" if row.errors else ""
        lines.append(
            f"| {label} | {row.memory_mb} MB | {row.median_ms:.0f} ms{failed} | {row.p95_ms:.0f} ms "
            f"| {row.max_memory_mb} MB | ${row.cost('x86_64'):.2f} | ${row.cost('arm64'):.2f} |"
        )
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    return (
        f"cheapest: {cheapest(rows)} MB (x86_64), {cheapest(rows, 'arm64')} MB (arm64); fastest: {fastest(rows)} MB. "
        f"Prices of {prices.READ} ({prices.SOURCE})."
    )


def chart(rows: list[Row], path: Path) -> None:
    """Cost per million uploads (x86_64) against median billed duration, one line per picture, each point
    labelled with its memory size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5), dpi=100)
    for picture in dict.fromkeys(r.picture for r in rows):
        mine = [r for r in rows if r.picture == picture]
        axes.plot([r.median_ms for r in mine], [r.cost("x86_64") for r in mine], marker="o", label=picture)
        for r in mine:
            axes.annotate(f"{r.memory_mb} MB", (r.median_ms, r.cost("x86_64")), fontsize=8, xytext=(4, 4),
                          textcoords="offset points")  # fmt: skip
    axes.set_xlabel("billed duration, median (ms)")
    axes.set_ylabel(f"USD per million uploads, x86_64 (prices of {prices.READ})")
    axes.set_title("Cost against duration by memory size (localaws)")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def default_pictures(directory: Path, small: bool) -> list[tuple[str, Path]]:
    """The benchmark inputs the function reads (``small``: the smoke run's tiny ones)."""
    from benchmarks.run import make_inputs

    return [(i.name, i.path) for i in make_inputs(directory, small) if "animated" not in i.name]


def given_pictures(directory: Path) -> list[tuple[str, Path]]:
    return [(p.name, p) for p in sorted(directory.iterdir()) if p.is_file() and not p.name.startswith(".")]


@contextmanager
def local_stack(work: Path) -> Iterator[tuple[str, str, str]]:
    """localaws and examples/complete applied to it: (endpoint, function, source bucket); destroyed after."""
    from devkit.endpoint import localaws
    from devkit.stack import local_terraform

    with localaws(work / "localaws.log", "--work-dir", str(work / "localaws")) as endpoint:
        tf = local_terraform(work / "module", endpoint)
        print("applying examples/complete on localaws...", file=sys.stderr)
        tf.apply()
        try:
            outputs = tf.output()
            yield endpoint, outputs["function_name"], outputs["source_bucket"]
        finally:
            tf.destroy()


def module_defaults() -> tuple[int, int]:
    """The root module's default ``memory_size`` and ``max_image_pixels`` (variables.tf)."""
    from devkit.hcl import blocks

    defaults: dict[str, Any] = {name: body.get("default") for name, body in blocks(ROOT / "variables.tf", "variable")}
    return int(defaults["memory_size"]), int(defaults["max_image_pixels"])


def memory_for(pixels: int) -> int:
    """The least memory_size the module accepts for a JPEG of ``pixels`` (variables.tf's max_image_pixels check:
    7.5 bytes a pixel with a 20% margin, and 128 MB for the runtime)."""
    return math.ceil(128 + pixels * 9 / 1048576)


def verdict(rows: list[Row]) -> str:
    """Which measured size the default memory_size should be, and whether it is: the cheapest one that admits the
    module's default max_image_pixels."""
    default_memory, default_pixels = module_defaults()
    need = memory_for(default_pixels)
    low = cheapest(rows)
    admitted = [r for r in rows if r.memory_mb >= need]
    if not admitted:
        return f"No size measured admits the default max_image_pixels, which needs {need} MB."
    best = cheapest(admitted)

    def total(memory: int, measure: str) -> float:
        mine = [r for r in rows if r.memory_mb == memory]
        return sum(r.cost("x86_64") if measure == "cost" else r.median_ms for r in mine)

    # No code spans in a figure's text: devkit/figures.py compares a document's prose with them blanked out.
    said = f"**The module's default, memory_size = {default_memory}.** The cheapest size measured is {low} MB"
    if best != low:
        said += (
            f", but it cannot thumbnail the {default_pixels:,}-pixel JPEG that the default max_image_pixels admits "
            f"(that needs {need} MB: the plan refuses less). Of the sizes that can, {best} MB is the cheapest, "
            f"{total(best, 'cost') / total(low, 'cost'):.2f}x the cost of {low} MB for "
            f"{total(low, 'ms') / total(best, 'ms'):.2f}x its speed"
        )
    said += (
        f", so the default is {best} MB."
        if best == default_memory
        else f"; the default ({default_memory} MB) is not it: change the default, or say here why."
    )
    return said


def heic_advice(rows: list[Row]) -> str:
    """Which measured size is cheapest for a bucket that is mostly iPhone HEIC, and what a HEIC costs there against
    a 24 MP JPEG."""
    heics = [r for r in rows if r.picture == HEIC]
    if not heics:
        return ""
    best = min(heics, key=lambda r: (r.cost("x86_64"), r.memory_mb))
    fastest_row = min(heics, key=lambda r: (r.median_ms, r.memory_mb))
    said = (
        f"**A bucket that is mostly iPhone HEIC.** The cheapest size measured for the HEIC is {best.memory_mb} MB "
        f"(${best.cost('x86_64'):.2f} per million on x86_64, {best.median_ms:.0f} ms); the fastest is "
        f"{fastest_row.memory_mb} MB ({fastest_row.median_ms:.0f} ms, ${fastest_row.cost('x86_64'):.2f})"
    )
    jpeg = next((r for r in rows if r.picture == JPEG and r.memory_mb == best.memory_mb), None)
    if jpeg is not None:
        said += f"; at {best.memory_mb} MB a HEIC costs {best.cost('x86_64') / jpeg.cost('x86_64'):.2f}x a 24 MP JPEG"
    _, default_pixels = module_defaults()
    need = memory_for(default_pixels)
    admitted = [r for r in heics if r.memory_mb >= need]
    if best.memory_mb < need and admitted:
        other = min(admitted, key=lambda r: (r.cost("x86_64"), r.memory_mb))
        said += (
            f". {best.memory_mb} MB needs a lower max_image_pixels (the default's JPEG needs {need} MB); of the sizes "
            f"that admit the default, {other.memory_mb} MB is the cheapest for the HEIC "
            f"(${other.cost('x86_64'):.2f}, {other.cost('x86_64') / best.cost('x86_64'):.2f}x the cost for "
            f"{best.median_ms / other.median_ms:.2f}x the speed). A second vCPU (above 1,769 MB) decodes the tiles on "
            "two threads, faster but dearer per upload"
        )
    return said + "."


def write_docs(rows: list[Row]) -> None:
    """The documented pictures' table and the verdict, as the figure tune.table of docs/benchmarks.md."""
    from devkit import figures

    shown = [r for r in rows if r.picture in DOCUMENTED]
    jpegs = [r for r in shown if r.picture != HEIC]  # the default's verdict, as before HEIC was shown
    text = "\n\n" + table(shown, DOCUMENTED) + "\n\n" + summary(jpegs) + "\n\n" + verdict(jpegs) + "\n\n"
    if advice := heic_advice(shown):
        text += advice + "\n\n"
    figures.record("tune.table", cheapest(jpegs), "MB", text, COMMAND, timing=True)


SECTION = """## Memory size: what a thumbnail costs (`make tune`)

The deployed function on localaws, which gives each memory size the CPU Lambda gives it (`memory_size / 1769`
cores), one picture at a time, warm; the billed duration is the median (and p95) of five invocations, the cost
that of a million uploads at Lambda's prices (`benchmarks/prices.py`, dated). Written by
`make tune TUNE_ARGS='--documented --write-docs'`; `make tune` alone runs every benchmark input, and
`TUNE_ARGS="--pictures DIR"` runs yours.
<!-- proof: tests/e2e/test_pipeline.py::test_make_tune_on_a_small_set_produces_the_table_and_the_chart -->

<!-- figure:tune.table --><!-- /figure -->

**How far from Lambda's.** The shape (which size is cheapest, where more memory stops buying speed) carries over;
the milliseconds do not, exactly. This machine's cores are not Lambda's (and arm64's cost is computed with this
machine's x86 durations: Graviton's speed differs); a quota of a fraction of a core is close to, not the same as,
Lambda's share of a vCPU; and S3 is on loopback here, where Lambda reads and writes it over the network (a round
trip a request, a transfer for a large picture, and less bandwidth at small memory sizes), so real billed
durations are longer by the transfer, most at the smallest sizes. Cold starts are not counted. Where two sizes come
out close, measure them in an account before choosing.
<!-- untestable: a comparison with Lambda's own figures needs an AWS account -->
"""


def docs_section() -> str:
    """The section docs/benchmarks.md carries (benchmarks/run.py writes it with the rest), its table from the
    record of the last `--write-docs` run."""
    from devkit import figures

    return figures.render(SECTION, figures.load())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make tune", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pictures", type=Path, help="a directory of pictures (default: the benchmark inputs)")
    parser.add_argument("--memory", default=",".join(map(str, MEMORY_SIZES)), help="memory sizes in MB, commas")
    parser.add_argument("--repeat", type=int, default=5, help="invocations per picture and size (default 5)")
    parser.add_argument("--small", action="store_true", help="the benchmark inputs at a tenth of their size")
    parser.add_argument(
        "--documented",
        action="store_true",
        help="only the benchmark inputs docs/benchmarks.md shows (with --write-docs)",
    )
    parser.add_argument("--endpoint", help="a localaws already running, with the stack applied")
    parser.add_argument("--function", help="with --endpoint: the function's name")
    parser.add_argument("--bucket", help="with --endpoint: the source bucket")
    parser.add_argument("--prefix", default="uploads/", help="the function's read prefix (default uploads/)")
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "tune", help="where tune.png/.md go")
    parser.add_argument("--write-docs", action="store_true", help="record the table in docs/benchmarks.md")
    args = parser.parse_args(argv)
    try:
        memories = [int(m) for m in args.memory.split(",")]
    except ValueError:
        parser.error(f"--memory wants sizes in MB separated by commas; got {args.memory!r}")
    if any(not 128 <= m <= 10240 for m in memories):
        parser.error(f"--memory sizes must be between 128 and 10240 MB (Lambda's range); got {args.memory}")
    if args.endpoint and not (args.function and args.bucket):
        parser.error("--endpoint needs --function and --bucket")
    with tempfile.TemporaryDirectory(prefix="tune-") as work:
        work_dir = Path(work)
        pictures = given_pictures(args.pictures) if args.pictures else default_pictures(work_dir / "in", args.small)
        if args.documented:
            pictures = [(label, path) for label, path in pictures if label in DOCUMENTED]
        if not pictures:
            parser.error(f"no pictures in {args.pictures}")
        if args.endpoint:
            rows = Tuner(args.endpoint, args.function, args.bucket, args.prefix).run(pictures, memories, args.repeat)
        else:
            with local_stack(work_dir) as (endpoint, function, bucket):
                rows = Tuner(endpoint, function, bucket, args.prefix).run(pictures, memories, args.repeat)
    text = table(rows) + "\n\n" + summary(rows) + "\n"
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "tune.md").write_text(text)
    chart(rows, args.output / "tune.png")
    print(text)
    print(f"chart: {args.output / 'tune.png'}")
    if args.write_docs:
        write_docs(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
