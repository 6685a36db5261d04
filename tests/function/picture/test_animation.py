"""Animated GIF, WebP and PNG keep their frames, timing and loop count (as animated WebP under auto), within a
frames x pixels budget; beyond it, or when turned off, the first frame is the thumbnail and the notes say why."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageFile, ImageSequence

from devkit.corpus import pillow_test_images
from thumbnailer.errors import ImageRejected
from thumbnailer.picture.imaging import make_thumbnails

from ..images import animation


def frames_of(data: bytes) -> tuple[str, list[int], int, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as im:
        durations = []
        for frame in ImageSequence.Iterator(im):
            frame.load()  # WebP sets a frame's duration when it is decoded
            durations.append(frame.info.get("duration"))
        return im.format, durations, im.info.get("loop"), im.size


@pytest.mark.parametrize("source", ["GIF", "WEBP", "PNG"])
def test_an_animation_keeps_its_frames_durations_and_loop_as_webp(source):
    data, durations = animation(source, loop=3)
    result = make_thumbnails(io.BytesIO(data), [100, 50])
    for thumb, size in zip(result.thumbnails, [(100, 50), (50, 25)], strict=True):
        fmt, kept, loop, shown = frames_of(thumb.data)
        assert fmt == "WEBP" and thumb.format.name == "webp" and thumb.frames == len(durations)
        assert kept == durations and shown == size and (thumb.width, thumb.height) == size
        assert loop == 3
    assert not result.notes


def test_a_gif_that_loops_for_ever_still_does():
    data, _ = animation("GIF", loop=0)
    assert frames_of(make_thumbnails(io.BytesIO(data), [50]).thumbnails[0].data)[2] == 0


def test_png_output_is_an_animated_png():
    data, durations = animation("GIF", loop=0)
    [thumb] = make_thumbnails(io.BytesIO(data), [50], requested_format="png").thumbnails
    fmt, kept, _, _ = frames_of(thumb.data)
    assert fmt == "PNG" and kept == durations


def test_an_apng_default_image_is_not_a_frame():
    """An APNG may carry a still for viewers without animation, apart from its frames: not part of the animation."""
    still = Image.new("RGB", (200, 100), "black")
    frames = [Image.new("RGB", (200, 100), colour) for colour in ("red", "lime", "blue")]
    buf = io.BytesIO()
    still.save(buf, "PNG", save_all=True, append_images=frames, default_image=True, duration=[0, 100, 200, 300])
    [thumb] = make_thumbnails(io.BytesIO(buf.getvalue()), [50]).thumbnails
    with Image.open(io.BytesIO(thumb.data)) as im:
        assert im.n_frames == 3 and im.convert("RGB").getpixel((5, 5))[0] > 200, "starts with the red frame"


def test_beyond_the_budget_the_first_frame_is_used_and_noted():
    data, _ = animation("GIF", frames=4, size=(200, 100))
    result = make_thumbnails(io.BytesIO(data), [50], animation_max_pixels=4 * 200 * 100 - 1)
    [thumb] = result.thumbnails
    assert thumb.frames == 1 and thumb.format.name == "png" and not Image.open(io.BytesIO(thumb.data)).is_animated
    assert result.notes == [
        "animation not kept: 4 frames of 200x100 are more than ANIMATION_MAX_PIXELS=79999 frame pixels; "
        "its first frame is used"
    ]


def test_animation_can_be_turned_off():
    data, _ = animation("WEBP")
    result = make_thumbnails(io.BytesIO(data), [50], animation=False)
    assert result.thumbnails[0].frames == 1 and "ANIMATION is off" in result.notes[0]


def test_jpeg_output_takes_the_first_frame_and_says_so():
    data, _ = animation("GIF")
    result = make_thumbnails(io.BytesIO(data), [50], requested_format="jpeg")
    assert result.thumbnails[0].frames == 1 and "jpeg output is a still picture" in result.notes[0]


def test_a_crop_cuts_every_frame_alike():
    data, durations = animation("GIF", size=(300, 100))
    [thumb] = make_thumbnails(io.BytesIO(data), ["80x80"]).thumbnails
    fmt, kept, _, shown = frames_of(thumb.data)
    assert shown == (80, 80) and kept == durations


def test_a_flood_of_frames_becomes_a_still_before_its_frames_are_decoded(monkeypatch):
    """2,000 tiny frames are far inside the pixel budget; beyond max_frames, only the first frame is decoded."""
    frames = [Image.new("L", (8, 8), i % 256) for i in range(2_000)]  # each unlike the one before: none merged
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=[20 + i % 2 for i in range(2_000)])
    loads = []
    real_load = ImageFile.ImageFile.load

    def counting_load(self):
        loads.append(self.tell())
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    result = make_thumbnails(io.BytesIO(buffer.getvalue()), [8], animation_max_frames=1_000)
    [thumb] = result.thumbnails
    assert thumb.frames == 1 and thumb.format.name == "png"
    assert result.notes == [
        "animation not kept: 2000 frames are more than ANIMATION_MAX_FRAMES=1000; its first frame is used"
    ]
    assert set(loads) == {0}  # no frame but the first was decoded
    kept = make_thumbnails(io.BytesIO(buffer.getvalue()), [8], animation_max_frames=2_000)
    assert kept.thumbnails[0].frames == 2_000 and not kept.notes


BROKEN_APNG = (
    "chunk_no_fdat.png",
    "chunk_repeat_fctl.png",
    "sequence_fdat_fctl.png",
    "sequence_gap.png",
    "sequence_reorder.png",
    "sequence_reorder_chunk.png",
    "sequence_repeat.png",
    "sequence_repeat_chunk.png",
    "sequence_start.png",
    "syntax_num_frames_high.png",
)


@pytest.mark.parametrize("name", BROKEN_APNG)
def test_a_broken_apng_is_the_still_picture_browsers_show(name):
    """Pillow's own APNG test images (from its sdist, devkit/corpus.py) whose animation chunks are broken but whose
    default image is intact: a still of that image, and the notes say why."""
    path = pillow_test_images() / "apng" / name
    with Image.open(path) as im:
        assert im.is_animated
        with pytest.raises((OSError, SyntaxError, EOFError, ValueError)):  # the premise: the animation is broken
            for frame in ImageSequence.Iterator(im):
                frame.load()
    with Image.open(path) as im:
        im.load()  # the default image alone decodes
        expected = im.convert("RGBA")
    result = make_thumbnails(path, [256])
    [thumb] = result.thumbnails
    assert thumb.frames == 1 and thumb.format.name == "png"
    [note] = result.notes
    assert note.startswith("animation not kept: its APNG animation chunks are broken (")
    with Image.open(io.BytesIO(thumb.data)) as made:
        assert made.size == expected.size
        assert ImageChops.difference(made.convert("RGBA"), expected).getbbox() is None


def test_an_apng_whose_default_image_is_broken_too_is_still_refused():
    with pytest.raises(ImageRejected, match="corrupt"):
        make_thumbnails(pillow_test_images() / "apng" / "chunk_no_fctl.png", [256])


def grown_gif(width: int, height: int) -> bytes:
    """A two-frame 64x40 GIF whose second frame's descriptor says ``width`` x ``height``: Pillow grows the
    canvas to hold it."""
    data = bytearray(animation("GIF", frames=2, size=(64, 40))[0])
    second = data.index(b"\x2c", data.index(b"\x2c") + 1)  # the second image descriptor
    while int.from_bytes(data[second + 5 : second + 7], "little") != 64:  # a 0x2c inside the first frame's data
        second = data.index(b"\x2c", second + 1)
    data[second + 5 : second + 9] = width.to_bytes(2, "little") + height.to_bytes(2, "little")
    return bytes(data)


def test_a_frame_that_grows_the_canvas_past_the_budget_is_refused_before_it_is_decoded():
    """Found by the fuzz test: a few hundred bytes whose frame grows a 64x40 GIF to 16464x10240 took seconds and
    hundreds of MB. The budget is counted again on the grown canvas, before the frame is decoded."""
    with Image.open(io.BytesIO(grown_gif(16000, 10000))) as im:
        im.seek(1)
        assert im.size[0] * im.size[1] > 100_000_000, "Pillow grows the canvas at seek"
    with pytest.raises(ImageRejected, match=r"frame 2 grows the 64x40 picture to \d+x\d+: 2 frames of that are more"):
        make_thumbnails(io.BytesIO(grown_gif(16000, 10000)), [32], animation_max_pixels=2_000_000)
    with pytest.raises(ImageRejected) as within:  # within the budget, the frame is decoded (and is short here)
        make_thumbnails(io.BytesIO(grown_gif(70, 40)), [32], animation_max_pixels=2_000_000)
    assert "grows" not in str(within.value) and "truncated" in str(within.value)
