"""Every invocation publishes its counts as CloudWatch embedded metrics: a refused upload reaches a metric (and so
an alarm) though the invocation succeeds."""

from __future__ import annotations

import json

import pytest

from thumbnailer.aws.metrics import NAMESPACE, reason_of

from ..conftest import invoke, s3_event
from ..images import EPS, jpeg, png_bomb


def emf_lines(out: str) -> list[dict]:
    return [line for line in map(json.loads, filter(None, out.splitlines())) if "_aws" in line]


def test_counts_and_refusals_by_reason_are_published(s3, capsys, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "CreateThumbnail")
    for key, body in {"ok.jpg": jpeg(), "drawing.png": EPS, "bomb.png": png_bomb(), "cut.jpg": jpeg()[:900]}.items():
        s3.put_object(Bucket="uploads", Key=key, Body=body)
    capsys.readouterr()
    invoke(s3_event("ok.jpg", "drawing.png", "bomb.png", "cut.jpg", "gone.jpg"))
    total, *by_reason = emf_lines(capsys.readouterr().out)
    directive = total["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == NAMESPACE and directive["Dimensions"] == [["FunctionName"]]
    assert {m["Name"] for m in directive["Metrics"]} == {
        "Processed", "Deleted", "Skipped", "TransientFailures", "Refused", "Duration"
    }  # fmt: skip
    assert (total["FunctionName"], total["Processed"], total["Skipped"], total["Refused"]) == (
        "CreateThumbnail", 1, 1, 3,
    )  # fmt: skip
    assert total["TransientFailures"] == 0 and total["Duration"] > 0
    assert {(line["Reason"], line["Refused"]) for line in by_reason} == {
        ("not-an-image", 1), ("too-many-pixels", 1), ("corrupt", 1)
    }  # fmt: skip
    assert all(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["FunctionName", "Reason"]] for line in by_reason)


@pytest.mark.parametrize(
    "reason, kind",
    [
        ("not an image in a supported format (JPEG, PNG, WebP, GIF)", "not-an-image"),
        ("corrupt or truncated image: image file is truncated", "corrupt"),
        ("100x100 is 10000 pixels, more than MAX_IMAGE_PIXELS=1", "too-many-pixels"),
        (
            "8000x6000 JPEG RGB needs about 540 MB to thumbnail, more than the function's memory_size of 512 MB: "
            "raise memory_size, or lower max_image_pixels",
            "too-little-memory",
        ),
        ("object is 5 bytes, more than MAX_OBJECT_BYTES=1; not downloaded", "too-large"),
        ("download: AccessDenied: An error occurred (AccessDenied)", "access-denied"),
        ("the decoder crashed (SIGSEGV) on this picture; the function carried on without it", "decoder-failed"),
        ("decoding took longer than 30 s; the decoder was stopped", "decoder-failed"),
        ("decoding needed more memory than the function's memory_size of 512 MB", "too-little-memory"),
        ("unexpected KeyError: 'x'", "other"),
    ],
)
def test_reasons_are_a_few_words_never_the_message(reason, kind):
    assert reason_of(reason) == kind
