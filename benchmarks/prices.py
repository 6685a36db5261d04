"""Lambda's on-demand prices, the one place `make tune` reads them from.

US East (N. Virginia), the first tier of duration pricing (the first 6 billion GB-seconds a month on x86_64, 7.5
billion on arm64); other regions differ by a few percent. Read from the AWS Lambda pricing page on READ; check
it again before relying on a cost, and change both the numbers and the date together.
"""

from __future__ import annotations

READ = "2026-12-02"
SOURCE = "https://aws.amazon.com/lambda/pricing/ (US East (N. Virginia), first duration tier)"
PER_GB_SECOND = {"x86_64": 0.0000166667, "arm64": 0.0000133334}  # USD per GB-second of billed duration
PER_REQUEST = 0.20 / 1_000_000  # USD per request, either architecture


def cost_per_million(billed_ms: float, memory_mb: int, architecture: str) -> float:
    """USD for a million invocations of ``billed_ms`` each at ``memory_mb`` (duration and requests)."""
    gb_seconds = billed_ms / 1000 * memory_mb / 1024
    return 1_000_000 * (gb_seconds * PER_GB_SECOND[architecture] + PER_REQUEST)
