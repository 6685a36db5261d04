"""Box sizes: the picture scaled to cover the box, then cut around its most detailed part (or its centre)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from thumbnailer.picture.crop import region
from thumbnailer.picture.imaging import make_thumbnails

from ..images import detailed_subject, encode, jpeg


def subject_pixels(im: Image.Image) -> int:
    """How many pixels of the red subject are in ``im`` (the background is grey)."""
    red, green, _ = im.convert("RGB").split()
    return sum(1 for r, g in zip(red.get_flattened_data(), green.get_flattened_data(), strict=True) if r - g > 60)


@pytest.mark.parametrize("at", [(1450, 150), (30, 160), (700, 20)])
def test_the_entropy_crop_keeps_a_small_detailed_subject_in_frame(at):
    picture = detailed_subject(1600, 400, at, side=60)  # the subject is 1/27 of the width
    [thumb] = make_thumbnails(io.BytesIO(encode(picture, "PNG")), ["100x100"]).thumbnails
    out = Image.open(io.BytesIO(thumb.data))
    assert out.size == (100, 100) and (thumb.width, thumb.height) == (100, 100)
    assert subject_pixels(out) >= 15 * 15 * 0.9, f"the subject at {at} (15x15 once scaled) is in the crop"


def test_the_centre_crop_is_the_middle():
    picture = detailed_subject(1600, 400, (1450, 150), side=60)
    [thumb] = make_thumbnails(io.BytesIO(encode(picture, "PNG")), ["100x100"], crop="centre").thumbnails
    assert subject_pixels(Image.open(io.BytesIO(thumb.data))) == 0, "the middle is the flat background"
    assert region(Image.new("L", (400, 100)), (100, 100), "centre") == (150, 0, 250, 100)


def test_boxes_and_edges_together_from_one_decode():
    result = make_thumbnails(io.BytesIO(jpeg(1200, 800)), ["1024", "200x200", 256, "300x100"])
    assert [(t.size.label, t.width, t.height) for t in result.thumbnails] == [
        ("1024", 1024, 683),
        ("200x200", 200, 200),
        ("256", 256, 171),
        ("300x100", 300, 100),
    ]
    for thumb in result.thumbnails:
        assert Image.open(io.BytesIO(thumb.data)).size == (thumb.width, thumb.height)


def test_a_picture_smaller_than_the_box_is_cut_to_its_shape_not_upscaled():
    [thumb] = make_thumbnails(io.BytesIO(jpeg(150, 90)), ["200x200"]).thumbnails
    assert (thumb.width, thumb.height) == (90, 90)


def test_an_unknown_crop_is_refused():
    with pytest.raises(ValueError, match="crop must be one of entropy, centre; got 'attention'"):
        region(Image.new("L", (400, 100)), (100, 100), "attention")
