"""What decoding a picture in a child process costs (function/thumbnailer/picture/containment.py).

    .venv/bin/python -m benchmarks.containment [--runs N]

The same PNG thumbnailed (1024 and 256) in this process and in a forked child, ``--runs`` times each, interleaved,
after boto3's S3 client and the function's modules are loaded (as in a warm Lambda environment, whose process a fork
copies). Writes the median of each and their difference, the cost per contained picture, as figures
(devkit/figures.py: docs/security.md shows them).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ".venv/bin/python -m benchmarks.containment"


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--no-record", action="store_true", help="print, do not write the figures")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "function"))
    import boto3
    from PIL import Image

    from devkit import figures
    from thumbnailer.picture import containment
    from thumbnailer.picture.imaging import make_thumbnails, prepare_decoders

    boto3.client("s3", region_name="us-east-1")
    prepare_decoders()
    picture = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    data = buffer.getvalue()

    def render() -> object:
        return make_thumbnails(io.BytesIO(data), [1024, 256])

    in_process = contained = 0.0
    for _ in range(3):  # interleaved rounds, the best of each: a busy machine shows less in the minimum
        first, second = median_ms(render, args.runs), median_ms(lambda: containment.contained(render), args.runs)
        in_process = min(in_process or first, first)
        contained = min(contained or second, second)
    cost = contained - in_process
    print(f"in process {in_process:.1f} ms, contained {contained:.1f} ms, cost {cost:.1f} ms per picture")
    if not args.no_record:
        figures.record("containment_in_process_ms", round(in_process, 1), "ms", f"{in_process:.0f} ms", COMMAND,
                       timing=True)  # fmt: skip
        figures.record("containment_cost_ms", round(cost, 1), "ms", f"{cost:.1f} ms", COMMAND, timing=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
