"""The backfill section of docs/benchmarks.md: its figures are measured by the end-to-end test of the thumbnails
command (tests/e2e/test_batch.py, with RECORD_FIGURES=1) and kept in docs/figures.json; `make bench` writes the
section with the recorded values, so a benchmark run never loses them."""

from __future__ import annotations

from devkit import figures

SECTION = """
## Backfill on S3 Batch Operations

`thumbnails backfill` on localaws (`make bench-backfill`: tests/e2e/test_batch.py with 2,000 objects of 160x120
pixels, three sizes, the catalogue on; four tasks at a time, as localaws runs Batch Operations):
<!-- figure:batch_backfill_rate -->?<!-- /figure -->, the function taking
<!-- figure:batch_function_ms -->?<!-- /figure --> an object on average.

On Lambda, at 1024 MB and that duration, a million objects would cost about
<!-- figure:batch_cost_per_million -->?<!-- /figure --> (Lambda's GB-seconds and requests, and Batch Operations' $1.00
a million objects; its $0.25 a job aside; us-east-1 list prices as written in the test). This machine's cores are
not Lambda's: at 1024 MB a function gets a little over half a vCPU, so the duration there may differ either way;
the figure scales with it.
"""


def section() -> str:
    return figures.render(SECTION, figures.load())
