"""What a PDF preview and a video poster cost (issue 37): ``python -m benchmarks.previews`` (``make bench`` runs it).

- the layers: the default layer, the layer with ``extra_formats = ["pdf"]`` (pypdfium2 in it) and the video layer
  (PyAV and its FFmpeg, its own layer), each built as the module builds it for python3.13 on x86_64, zipped and
  unzipped; and what a function with video adds up to against Lambda's 250 MB for function and layers unzipped;
- the cold start each adds to the first invocation: loading PDFium (import pypdfium2) or FFmpeg (import av), as
  ``prepare_decoders`` does before the first containment child forks (median of fresh processes);
- the time of one preview, with the function's own core (``make_thumbnails``, sizes 1024 and 256): the first page
  of real documents of the PDF corpus, and the poster of real videos of the video corpus (devkit/corpus.py), each
  in the containment child as the function runs it (median of several runs).

The numbers are figures (devkit/figures.py): recorded in docs/figures.json and written into docs/formats.md and
docs/previews.md.

    python -m benchmarks.previews            # measure and record (a few minutes: the layers are built)
    python -m benchmarks.previews --smoke    # no layers, one run: prints, records nothing
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from functools import partial
from pathlib import Path

from devkit import figures
from devkit.corpus import pdf_test_documents, video_test_files

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "function"))
from thumbnailer.picture import containment
from thumbnailer.picture.imaging import make_thumbnails, prepare_decoders

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layer"
COMMAND = ".venv/bin/python -m benchmarks.previews"
SIZES = (1024, 256)
LAMBDA_UNZIPPED = 250 * 1000 * 1000  # Lambda's limit for the function and its layers together, unzipped (bytes)
# Real inputs of each kind: a text page, a scanned-looking page, a CAD drawing; a 1080p MP4, a MOV, a WebM.
PDFS = ("text.pdf", "Seige_of_Vicksburg_Sample_OCR.pdf", "AutoCad_Diagram.pdf")
VIDEOS = ("sample.mp4", "sample.mov", "display-dual-monitors.webm")
COLD = (
    "import sys, time; sys.path.insert(0, {function!r}); import PIL.Image; "
    "t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
)


def layers(work: Path) -> dict[str, tuple[int, int]]:
    """(zipped, unzipped) bytes of each layer as the module builds it."""
    sys.path.insert(0, str(ROOT / "modules" / "layer"))
    import build_layer

    base, pruned, avif = LAYER / "requirements.lock", LAYER / "exclude.txt", LAYER / "exclude-avif.txt"
    built = {
        "layer": ([base], [pruned, avif]),
        "layer_pdf": ([base, LAYER / "requirements-pdf.lock"], [pruned, avif]),
        "layer_video": ([LAYER / "video" / "requirements.lock"], [LAYER / "video" / "exclude.txt"]),
    }
    sizes = {}
    for name, (requirements, exclude) in built.items():
        out = work / f"{name}.zip"
        zipped = build_layer.build(requirements, out, "python3.13", "x86_64", "lambda", 250_000_000, exclude)
        with zipfile.ZipFile(out) as archive:
            sizes[name] = (zipped, sum(i.file_size for i in archive.infolist()))
    return sizes


def cold(runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {"pdf": [], "video": []}
    for _ in range(runs):
        for name, module in (("pdf", "pypdfium2"), ("video", "av")):
            code = COLD.format(function=str(ROOT / "function"), module=module)
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            samples[name].append(float(done.stdout))
    return {name: statistics.median(values) for name, values in samples.items()}


def per_preview(paths: list[Path], extra: str, runs: int) -> dict[str, float]:
    """Median milliseconds of one preview of each path, in the containment child as the function makes it."""
    prepare_decoders((extra,))
    found = {}
    for path in paths:
        render = partial(make_thumbnails, path, list(SIZES), extra_formats=(extra,))
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            containment.contained(render, seconds=30)
            times.append((time.perf_counter() - started) * 1000)
        found[path.name] = statistics.median(times)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.previews", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="no layers, one run; prints, records nothing")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    runs = 1 if args.smoke else args.runs
    pdfs = [p for p in pdf_test_documents() if p.name in PDFS]
    videos = [p for p in video_test_files() if p.name in VIDEOS]
    pdf_ms, video_ms = per_preview(pdfs, "pdf", runs), per_preview(videos, "video", runs)
    started = cold(runs)
    measured: list[tuple[str, float | int, str, str, bool]] = [
        ("previews.pdf_cold_ms", round(started["pdf"]), "ms", f"{started['pdf']:.0f} ms", True),
        ("previews.video_cold_ms", round(started["video"]), "ms", f"{started['video']:.0f} ms", True),
        ("previews.pdf_ms", round(max(pdf_ms.values())), "ms", f"{max(pdf_ms.values()):.0f} ms", True),
        ("previews.video_ms", round(max(video_ms.values())), "ms", f"{max(video_ms.values()):.0f} ms", True),
    ]
    if not args.smoke:
        with tempfile.TemporaryDirectory(prefix="previews-") as work:
            built = layers(Path(work))
        base_zip, base_unzipped = built["layer"]
        pdf_zip, pdf_unzipped = built["layer_pdf"]
        video_zip, video_unzipped = built["layer_video"]
        function = sum(p.stat().st_size for p in (ROOT / "function").rglob("*.py"))
        total = pdf_unzipped + video_unzipped + function  # everything a function with pdf and video unpacks
        measured += [
            ("previews.pdf_layer_zip", pdf_zip, "bytes", f"{pdf_zip / 1e6:.1f} MB", False),
            ("previews.pdf_layer_added", pdf_unzipped - base_unzipped, "bytes",
             f"{(pdf_unzipped - base_unzipped) / 1e6:.1f} MB", False),
            ("previews.pdf_layer_added_zip", pdf_zip - base_zip, "bytes", f"{(pdf_zip - base_zip) / 1e6:.1f} MB",
             False),
            ("previews.video_layer_zip", video_zip, "bytes", f"{video_zip / 1e6:.1f} MB", False),
            ("previews.video_layer_unzipped", video_unzipped, "bytes", f"{video_unzipped / 1e6:.0f} MB", False),
            ("previews.all_layers_unzipped", total, "bytes", f"{total / 1e6:.0f} MB of {LAMBDA_UNZIPPED / 1e6:.0f} MB",
             False),
        ]  # fmt: skip
    for name, value, unit, text, timing in measured:
        print(f"{name}: {text}")
        if not args.smoke:
            figures.record(name, value, unit, text, COMMAND, timing=timing, root=ROOT)
    for path, ms in {**pdf_ms, **video_ms}.items():
        print(f"  {path}: {ms:.0f} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
