"""CloudWatch metrics in the log lines themselves (the embedded metric format): CloudWatch Logs extracts them, no
API call, no extra permission, no latency.

Per invocation, in namespace ``Thumbnails`` with the ``FunctionName`` dimension: ``Processed``, ``Deleted``,
``Skipped``, ``Refused`` (also by ``Reason``: one of ``REASONS``, or other; the on-demand path's refusals too),
``TransientFailures`` and ``Duration``
(ms). A refused upload therefore reaches a metric and an alarm
(modules/alarms), though the invocation succeeds.

Hand-written: the format is one documented JSON object. aws-embedded-metrics imports aiohttp (about 165 ms of
cold start, measured) and Powertools' Metrics about 40 ms, against a whole budget of 10% of boto3's ~200 ms.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable

NAMESPACE = "Thumbnails"
# Each reason and the words of a refusal that say it, tried in order (a memory refusal also mentions pixels).
_MARKS = (
    ("key-too-long", ("key limit",)),
    ("bad-signature", ("signature",)),
    ("not-a-preset", ("not a preset", "not a thumbnail")),
    ("not-an-image", ("not an image",)),
    ("encrypted", ("encrypted",)),
    ("no-pages", ("no pages",)),
    ("no-video", ("no video stream", "no frame that can be decoded")),
    ("unsupported-codec", ("which is not decoded here",)),
    ("too-many-streams", ("streams, more than",)),
    ("too-long", ("video lasts",)),
    ("too-little-memory", ("memory_size",)),
    ("too-many-pixels", ("pixels",)),
    ("too-large", ("max_object_bytes", "bytes free")),
    ("access-denied", ("accessdenied", "access denied")),
    ("corrupt", ("corrupt", "truncated")),
    ("decoder-failed", ("the decoder", "decoding took longer")),
)
REASONS = tuple(reason for reason, _ in _MARKS)


def reason_of(text: str) -> str:
    """A refusal's reason in a few words a dimension can carry (never the key or the message itself)."""
    lowered = text.lower()
    for reason, marks in _MARKS:
        if any(mark in lowered for mark in marks):
            return reason
    return "other"


def publish(counts: dict[str, int], refusals: Iterable[str], duration_ms: float) -> None:
    """One EMF line with the invocation's counts and duration, and one per refusal reason seen."""
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    by_reason = Counter(reason_of(text) for text in refusals)
    values = {**counts, "Refused": sum(by_reason.values()), "Duration": round(duration_ms, 1)}
    _write(function, [], values)
    for reason, count in sorted(by_reason.items()):
        _write(function, ["Reason"], {"Refused": count}, Reason=reason)


def _write(function: str, extra: list[str], values: dict[str, float], **dimensions: str) -> None:
    line = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["FunctionName", *extra]],
                    "Metrics": [
                        {"Name": name, "Unit": "Milliseconds" if name == "Duration" else "Count"} for name in values
                    ],
                }
            ],
        },
        "FunctionName": function,
        **dimensions,
        **values,
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
