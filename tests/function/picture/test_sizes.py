"""Sizes as written in THUMBNAIL_SIZES: a longest edge or a box, and what each makes of a picture."""

from __future__ import annotations

import re

import pytest

from thumbnailer.picture.sizes import Size, fit, parse_size


@pytest.mark.parametrize(
    "text, size, label",
    [("256", Size(256, 0), "256"), (512, Size(512, 0), "512"), (" 200x100 ", Size(200, 100), "200x100")],
)
def test_edges_and_boxes_parse_and_print_as_written(text, size, label):
    assert parse_size(text) == size and size.label == label and size.crop == (size.height > 0)


RANGE = "every side must be between 1 and 10000 pixels"
SHAPE = r"is neither a longest edge \(256\) nor a box \(200x200\)"


@pytest.mark.parametrize(
    "text, reason",
    [("0", RANGE), ("10001", RANGE), ("200x0", RANGE), ("0x200", RANGE)]
    + [(text, SHAPE) for text in ("abc", "200x", "x200", "-5", "2.5")],
)
def test_bad_sizes_are_refused(text, reason):
    with pytest.raises(ValueError, match=f"^'{re.escape(text)}'(:)? {reason}$"):
        parse_size(text)


@pytest.mark.parametrize(
    "size, picture, scaled, box",
    [
        ("256", (1000, 500), (256, 128), None),
        ("200x200", (1000, 500), (400, 200), (200, 200)),  # scaled to cover the box, then cropped
        ("100x50", (1000, 1000), (100, 100), (100, 50)),
        ("200x200", (100, 50), (100, 50), (50, 50)),  # smaller than the box: never upscaled, cut to its shape
        ("200x200", (300, 100), (300, 100), (100, 100)),
        ("200x200", (200, 300), (200, 300), (200, 200)),
    ],
)
def test_a_box_is_covered_then_cropped_never_upscaled(size, picture, scaled, box):
    assert parse_size(size).target(*picture) == (scaled, box)


@pytest.mark.parametrize(
    "w, h, edge, want",
    [(4000, 3000, 256, (256, 192)), (3, 3000, 256, (1, 256)), (100, 100, 256, (100, 100)), (257, 10, 256, (256, 10))],
)
def test_fit(w, h, edge, want):
    assert fit(w, h, edge) == want
