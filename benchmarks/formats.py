"""Bytes per output format, and progressive JPEG by measurement (issue 22): ``python -m benchmarks.formats``.

Makes the benchmark inputs (benchmarks/run.py's make_inputs) into the three sizes of ``make bench`` (1024, 512,
256) at quality 85 with the function's own core, ``make_thumbnails``, once per output format: AVIF, WebP, JPEG
baseline, JPEG progressive (``jpeg_progressive=True``) and PNG. For the two JPEGs it also times the encoder
(encoding.encode on the thumbnail's pixels, as the function calls it) and a full Pillow decode of the thumbnail
(median of several interleaved runs), and finds how many bytes of a progressive JPEG a browser needs before it
can paint a first, coarse picture: everything before the second SOS marker (the first scan is complete there).
A baseline JPEG paints its whole picture only with its last byte.

The default of ``jpeg.progressive`` follows from the numbers by RULE below. The tables and the verdict are
figures (devkit/figures.py): recorded in docs/figures.json and written into docs/benchmarks.md (``section()``,
which benchmarks/run.py appends to its report) and docs/formats.md.

    python -m benchmarks.formats            # measure, record the figures, write the section (about two minutes)
    python -m benchmarks.formats --smoke    # tiny inputs, one run: prints the section, records nothing
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from benchmarks.contenders import EXTRA, QUALITY
from devkit import figures
from thumbnailer.picture import encoding
from thumbnailer.picture.formats import OUTPUTS
from thumbnailer.picture.imaging import make_thumbnails

if TYPE_CHECKING:
    from benchmarks.run import Input

ROOT = Path(__file__).resolve().parents[1]

COMMAND = ".venv/bin/python -m benchmarks.formats"
# (column, output_format, jpeg_progressive), in the order of the table.
COLUMNS = (
    ("avif", "avif", False),
    ("webp", "webp", False),
    ("jpeg", "jpeg", False),
    ("jpeg (progressive)", "jpeg", True),
    ("png", "png", False),
)
BASELINE, PROGRESSIVE = "jpeg", "jpeg (progressive)"
DECODE_LIMIT = 1.25  # progressive may decode the smallest thumbnails at most this much slower than baseline
RULE = (
    "progressive is the default only if, on the total of the inputs, it is no bigger than baseline at every size "
    "and decodes the smallest thumbnails (256 px, the most common on a page) in at most "
    f"{DECODE_LIMIT}x baseline's time; otherwise baseline"
)
SOS, EOI = 0xDA, 0xD9
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7: markers without a length


@dataclass
class Measured:
    inputs: list[str]
    sizes: list[int]
    data: dict[tuple[str, str, int], bytes] = field(default_factory=dict)  # (input, column, size) -> thumbnail
    encode_ms: dict[tuple[str, str, int], float] = field(default_factory=dict)  # (input, JPEG column, size)
    decode_ms: dict[tuple[str, str, int], float] = field(default_factory=dict)
    animated: set[str] = field(default_factory=set)  # inputs that stay animated in some format (WebP, PNG)

    def bytes(self, item: str, column: str, size: int | None = None) -> int:
        """One thumbnail's bytes, or (size None) the input's thumbnails at every size."""
        sizes = self.sizes if size is None else [size]
        return sum(len(self.data[item, column, s]) for s in sizes)

    def total(self, column: str, size: int | None = None, stills: bool = False) -> int:
        """The inputs' total (``stills``: without the animations, which only some formats keep animated)."""
        return sum(self.bytes(item, column, size) for item in self.inputs if not (stills and item in self.animated))

    def total_ms(self, times: dict[tuple[str, str, int], float], column: str, size: int) -> float:
        return sum(times[item, column, size] for item in self.inputs)

    def first_paint(self, item: str, column: str, size: int) -> int:
        """Bytes a browser reads before it can paint the whole picture coarsely: a progressive JPEG's first scan,
        a baseline JPEG's whole file."""
        data = self.data[item, column, size]
        return first_scan_end(data) or len(data)


def first_scan_end(jpeg: bytes) -> int | None:
    """The offset of a JPEG's second SOS marker (its first scan is complete before it), or None for one scan."""
    at, scans = 2, 0  # after SOI
    while at + 4 <= len(jpeg):
        if jpeg[at] != 0xFF:
            raise ValueError(f"not a JPEG marker at offset {at}")
        marker = jpeg[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        if marker == EOI:
            return None
        if marker == SOS:
            scans += 1
            if scans == 2:
                return at
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
        if marker == SOS:  # the entropy-coded data runs to the next marker that is not a stuffed 0 or an RST
            while at + 1 < len(jpeg) and not (
                jpeg[at] == 0xFF and jpeg[at + 1] != 0x00 and jpeg[at + 1] not in _STANDALONE
            ):
                at += 1
    return None


def _timed(samples: list[float], work: Callable[..., object], *args: object) -> None:
    started = time.perf_counter()
    work(*args)
    samples.append((time.perf_counter() - started) * 1000)


def _decode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im:
        im.load()


def _pixels(png: bytes) -> Image.Image:
    """The thumbnail's pixels, losslessly from its PNG (as the function holds them before encoding)."""
    with Image.open(io.BytesIO(png)) as im:
        return im.convert("RGBA" if im.has_transparency_data else "RGB")


def measure(inputs: Sequence[Input], sizes: Sequence[int], runs: int = 15) -> Measured:
    """Every input in every column at every size; the JPEG encode and decode times, interleaved ``runs`` times."""
    found = Measured([i.name for i in inputs], list(sizes))
    for item in inputs:
        for column, fmt, progressive in COLUMNS:
            made = make_thumbnails(
                item.path,
                sizes,
                requested_format=fmt,
                quality=QUALITY,
                extra_formats=EXTRA,
                jpeg_progressive=progressive,
            )
            for size, thumbnail in zip(sizes, made.thumbnails, strict=True):
                found.data[item.name, column, size] = thumbnail.data
                if thumbnail.frames > 1:
                    found.animated.add(item.name)
    jobs = []
    for item in inputs:
        for size in sizes:
            picture = _pixels(found.data[item.name, "png", size])
            with Image.open(io.BytesIO(found.data[item.name, BASELINE, size])) as jpeg:
                icc = jpeg.info.get("icc_profile") or None
            for column, progressive in ((BASELINE, False), (PROGRESSIVE, True)):
                how = encoding.Encoding(OUTPUTS["jpeg"], QUALITY, progressive=progressive)
                jobs.append(((item.name, column, size), picture, how, icc))
    encoded: dict[tuple[str, str, int], list[float]] = {key: [] for key, *_ in jobs}
    decoded: dict[tuple[str, str, int], list[float]] = {key: [] for key, *_ in jobs}
    for _ in range(runs):  # interleaved: drift hits baseline and progressive alike
        for key, picture, how, icc in jobs:
            _timed(encoded[key], encoding.encode, picture, how, icc)
            _timed(decoded[key], _decode, found.data[key])
    found.encode_ms = {key: statistics.median(values) for key, values in encoded.items()}
    found.decode_ms = {key: statistics.median(values) for key, values in decoded.items()}
    return found


def progressive_default(m: Measured) -> bool:
    """RULE, applied to the measurement."""
    smallest = min(m.sizes)
    no_bigger = all(m.total(PROGRESSIVE, size) <= m.total(BASELINE, size) for size in m.sizes)
    return no_bigger and decode_ratio(m, smallest) <= DECODE_LIMIT


def decode_ratio(m: Measured, size: int) -> float:
    return m.total_ms(m.decode_ms, PROGRESSIVE, size) / m.total_ms(m.decode_ms, BASELINE, size)


def change(m: Measured, size: int | None = None) -> float:
    """Progressive's bytes over baseline's, minus one, on the total of the inputs (at one size, or all)."""
    return m.total(PROGRESSIVE, size) / m.total(BASELINE, size) - 1


def first_paint_share(m: Measured, size: int) -> float:
    """A progressive JPEG's first scan, as a share of its file, on the total of the inputs."""
    return sum(m.first_paint(item, PROGRESSIVE, size) for item in m.inputs) / m.total(PROGRESSIVE, size)


def bytes_table(m: Measured) -> str:
    columns = [c for c, *_ in COLUMNS]
    lines = ["| input | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for item in m.inputs:
        lines.append(f"| {item} | " + " | ".join(f"{m.bytes(item, c):,}" for c in columns) + " |")
    for label, stills in (("**total**", False), ("**total, stills**", True)):
        jpeg = m.total(BASELINE, stills=stills)
        cells = [f"**{m.total(c, stills=stills):,}** ({m.total(c, stills=stills) / jpeg:.2f}x)" for c in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def progressive_table(m: Measured) -> str:
    lines = [
        "| input | size | baseline bytes | progressive bytes | change | encode ms, baseline / progressive "
        "| decode ms, baseline / progressive | bytes to a first picture, baseline / progressive |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(label: str, size: int, items: list[str]) -> str:
        base = sum(m.bytes(i, BASELINE, size) for i in items)
        prog = sum(m.bytes(i, PROGRESSIVE, size) for i in items)
        enc = [sum(m.encode_ms[i, c, size] for i in items) for c in (BASELINE, PROGRESSIVE)]
        dec = [sum(m.decode_ms[i, c, size] for i in items) for c in (BASELINE, PROGRESSIVE)]
        first = sum(m.first_paint(i, PROGRESSIVE, size) for i in items)
        return (
            f"| {label} | {size} | {base:,} | {prog:,} | {prog / base - 1:+.1%} | {enc[0]:.2f} / {enc[1]:.2f} "
            f"| {dec[0]:.2f} / {dec[1]:.2f} ({dec[1] / dec[0]:.2f}x) | {base:,} / {first:,} ({first / prog:.0%}) |"
        )

    for size in m.sizes:
        lines += [row(item, size, [item]) for item in m.inputs]
        lines.append(row("**total**", size, m.inputs))
    return "\n".join(lines)


def verdict(m: Measured) -> str:
    smallest, largest = min(m.sizes), max(m.sizes)
    sizes = ", ".join(f"{change(m, s):+.1%} at {s}" for s in m.sizes)
    chosen = "progressive" if progressive_default(m) else "baseline"
    return (
        f"**Default: {chosen}** (jpeg.progressive = {str(chosen == 'progressive').lower()}). The rule: {RULE}. "
        f"Measured on the total of the inputs, progressive's bytes against baseline's: {sizes}; its decode of the "
        f"{smallest}-px thumbnails takes {decode_ratio(m, smallest):.2f}x baseline's time "
        f"({decode_ratio(m, largest):.2f}x at {largest}). What it buys: a first, coarse picture after "
        f"{first_paint_share(m, largest):.0%} of a {largest}-px file ({first_paint_share(m, smallest):.0%} at "
        f"{smallest}), where a baseline JPEG shows its whole picture only with its last byte."
    )


def figures_of(m: Measured) -> list[tuple[str, float | int | str, str, str, bool]]:
    """(name, value, unit, text, timing) of every figure the documents quote from this run."""
    small, large = min(m.sizes), max(m.sizes)
    default = "progressive" if progressive_default(m) else "baseline"
    grown_small, grown_large = change(m, small), change(m, large)
    first, decode = first_paint_share(m, large), decode_ratio(m, small)
    biggest = max(m.bytes(item, BASELINE, small) for item in m.inputs)
    webp, avif = (m.total(c, stills=True) / m.total(BASELINE, stills=True) - 1 for c in ("webp", "avif"))
    return [
        ("formats.bytes_table", m.total(BASELINE), "bytes", f"\n\n{bytes_table(m)}\n\n", False),
        ("formats.progressive_table", round(decode, 2), "x", f"\n\n{progressive_table(m)}\n\n", True),
        ("formats.progressive_verdict", default, "default", f"\n\n{verdict(m)}\n\n", True),
        ("jpeg_progressive_default", default, "default", default, True),
        (f"jpeg_progressive_bytes_{small}", round(grown_small * 100, 1), "%", f"{grown_small:+.1%}", False),
        (f"jpeg_progressive_bytes_{large}", round(grown_large * 100, 1), "%", f"{grown_large:+.1%}", False),
        (f"jpeg_progressive_decode_{small}", round(decode, 2), "x", f"{decode:.2f}x", True),
        (f"jpeg_progressive_first_scan_{large}", round(first * 100, 1), "%", f"{first:.0%}", False),
        (f"jpeg_baseline_{small}_largest_bytes", biggest, "bytes", f"{biggest / 1000:.1f} KB", False),
        ("output_format_webp_vs_jpeg", round(webp * 100, 1), "%", f"{webp:+.0%}", False),
        ("output_format_avif_vs_jpeg", round(avif * 100, 1), "%", f"{avif:+.0%}", False),
    ]


HEADING = "## Bytes per output format (`python -m benchmarks.formats`)"
SECTION = (
    HEADING
    + """

Every benchmark input made into 1024, 512 and 256 at quality 85 by the function's own core, once per output format
(`output_formats`), AVIF and WebP at the efforts the function writes them, JPEG with optimised Huffman tables;
bytes of the three thumbnails together, and the total's ratio to baseline JPEG's. Written by
`python -m benchmarks.formats`, which records its figures (`docs/figures.json`).
<!-- proof: tests/benchmarks/test_smoke.py::test_the_formats_benchmark_measures_every_format_of_every_input -->

<!-- figure:formats.bytes_table --><!-- /figure -->

On the stills' total (the animation aside: animated in WebP, PNG and AVIF, its first frame in JPEG), WebP is
<!-- figure:output_format_webp_vs_jpeg --><!-- /figure --> and AVIF
<!-- figure:output_format_avif_vs_jpeg --><!-- /figure --> against baseline JPEG. The same quality number is not
the same visual quality in each codec (each maps 0-100 onto its own quantiser), and the inputs are generated
scenes, not photographs: read the table as what each format costs at the function's settings, not as a verdict
on the codecs. The badge fits 1024, where its PNG is its source's own bytes (docs/formats.md: never bigger than
the source).

## Progressive JPEG

The same thumbnails as JPEG, baseline and progressive (`jpeg = { progressive = true }`), at each size: bytes;
the encoder's time on the thumbnail's pixels and a full Pillow decode of the thumbnail (median of interleaved
runs, ms); and the bytes a browser reads before it can paint a first, coarse picture: a progressive JPEG's first
scan (everything before its second SOS marker, the next scan's Huffman table included), with its share of the
file, against a baseline JPEG's whole file (a baseline JPEG is painted from the top down as it arrives, its whole
picture only with its last byte).

<!-- figure:formats.progressive_table --><!-- /figure -->

<!-- figure:formats.progressive_verdict --><!-- /figure -->
"""
)


def section(measured: Measured | None = None) -> str:
    """The section docs/benchmarks.md carries: with a measurement, its tables; without, the recorded ones (what
    benchmarks/run.py writes with the rest of the report)."""
    if measured is None:
        return figures.render(SECTION, figures.load())
    made = {
        name: figures.Figure(value, unit, text, COMMAND, measured="", machine=None)
        for name, value, unit, text, _ in figures_of(measured)
    }
    return figures.render(SECTION, made)


def record(m: Measured) -> None:
    """The figures, into docs/figures.json and every document that shows them; and the section, last in
    docs/benchmarks.md as benchmarks/run.py composes it, written again from them (its prose may have changed)."""
    for name, value, unit, text, timing in figures_of(m):
        figures.record(name, value, unit, text, COMMAND, timing=timing)
    report = ROOT / "docs" / "benchmarks.md"
    before = report.read_text().split(HEADING)[0]
    report.write_text(before.rstrip("\n") + "\n\n" + section())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.formats", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, one run; prints, records nothing")
    parser.add_argument("--runs", type=int, default=15, help="timed encodes and decodes of each JPEG (median)")
    args = parser.parse_args(argv)
    from benchmarks.run import THREE, make_inputs  # run.py imports this module to compose its report

    with tempfile.TemporaryDirectory(prefix="formats-") as work:
        inputs = make_inputs(Path(work) / "inputs", args.smoke)
        print(f"{len(inputs)} inputs, {len(COLUMNS)} formats, {len(THREE)} sizes...", file=sys.stderr, flush=True)
        measured = measure(inputs, THREE, 1 if args.smoke else args.runs)
    if not args.smoke:
        record(measured)
    print(section(measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
