"""Several formats per size (OUTPUT_FORMATS) from one decode, animation kept where the format holds it, and
progressive JPEG on request."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from thumbnailer.picture.imaging import make_thumbnails

from ..images import animation, encode, jpeg, photo

PILLOW = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF"}


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def test_every_size_in_every_format_in_the_order_asked():
    result = make_thumbnails(
        io.BytesIO(jpeg(1200, 900)), [256, 1024, "100x100"], formats=["avif", "webp", "jpeg"], extra_formats=("avif",)
    )
    made = [(t.size.label, t.format.name) for t in result.thumbnails]
    assert made == [(size, fmt) for size in ("256", "1024", "100x100") for fmt in ("avif", "webp", "jpeg")]
    for thumb in result.thumbnails:
        im = decoded(thumb.data)
        assert im.format == PILLOW[thumb.format.name]
        assert (
            im.size
            == (thumb.width, thumb.height)
            == {"256": (256, 192), "1024": (1024, 768)}.get(thumb.size.label, (100, 100))
        )


def test_each_format_is_written_once_and_auto_resolves_per_picture():
    result = make_thumbnails(io.BytesIO(encode(photo(300, 200), "PNG")), [128], formats=["webp", "auto", "webp"])
    assert [t.format.name for t in result.thumbnails] == ["webp", "png"]


def test_an_animation_stays_animated_in_the_formats_that_hold_it_and_is_a_still_in_the_others():
    data, durations = animation("GIF", frames=4)
    result = make_thumbnails(io.BytesIO(data), [100], formats=["webp", "png", "jpeg"])
    frames = {t.format.name: t.frames for t in result.thumbnails}
    assert frames == {"webp": 4, "png": 4, "jpeg": 1}
    for thumb in result.thumbnails:
        im = decoded(thumb.data)
        assert getattr(im, "n_frames", 1) == thumb.frames
    assert any("except in jpeg" in note for note in result.notes), result.notes


def test_an_animation_is_animated_avif_with_its_frames_and_timing():
    data, durations = animation("GIF", frames=3)
    result = make_thumbnails(io.BytesIO(data), [100], formats=["avif", "jpeg"], extra_formats=("avif",))
    avif, still = result.thumbnails
    assert (avif.format.name, avif.frames, still.frames) == ("avif", 3, 1)
    im = Image.open(io.BytesIO(avif.data))
    assert im.format == "AVIF" and im.n_frames == 3
    shown = []
    for index in range(3):
        im.seek(index)
        im.load()
        shown.append(im.info.get("duration"))
    assert shown == durations


def test_an_animation_written_only_in_still_formats_says_so():
    data, _ = animation("GIF", frames=3)
    result = make_thumbnails(io.BytesIO(data), [100], formats=["jpeg"])
    assert [t.frames for t in result.thumbnails] == [1]
    assert result.notes == ["animation not kept: jpeg output is a still picture; its first frame is used"]


def test_a_picture_that_already_fits_is_written_in_every_format_never_bigger():
    small = encode(photo(120, 80), "PNG")
    result = make_thumbnails(io.BytesIO(small), [256], formats=["png", "webp", "jpeg"])
    assert [(t.format.name, t.width, t.height) for t in result.thumbnails] == [
        ("png", 120, 80),
        ("webp", 120, 80),
        ("jpeg", 120, 80),
    ]
    assert len(result.thumbnails[0].data) <= len(small), "the source's own format: never bigger than the source"


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_is_progressive_only_when_asked(progressive):
    result = make_thumbnails(io.BytesIO(jpeg(1200, 900)), [512, 256], jpeg_progressive=progressive)
    for thumb in result.thumbnails:
        im = decoded(thumb.data)
        assert bool(im.info.get("progressive") or im.info.get("progression")) is progressive
        assert im.size == (thumb.width, thumb.height)
