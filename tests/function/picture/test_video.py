"""A video's poster frame (thumbnailer/picture/video.py): the first frame that is not black, or the one at
VIDEO_POSTER_SECONDS, from MP4, MOV and WebM chosen by their own first bytes; every cap checked before a frame is
decoded; FFmpeg never probes, never opens anything but the upload. Videos are made here (tests/function/videos.py)
and real ones come from packages' test data (devkit/corpus.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from functools import partial

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from devkit.corpus import video_test_files
from thumbnailer.aws.metrics import reason_of
from thumbnailer.errors import ImageRejected
from thumbnailer.keys import thumbnail_key
from thumbnailer.picture import containment, previews, video
from thumbnailer.picture.imaging import make_thumbnails, prepare_decoders
from thumbnailer.picture.sizes import Size

from ..images import photo
from ..videos import held_upright
from ..videos import video as make_video

ON = ("video",)


def poster(data: bytes, sizes=(256,), **options):
    return make_thumbnails(io.BytesIO(data), list(sizes), extra_formats=ON, **options)


@pytest.mark.parametrize("container, name", [("mp4", "MP4"), ("mov", "MOV"), ("webm", "WEBM")])
def test_the_poster_is_the_first_frame_that_is_not_black(container, name):
    result = poster(make_video(container, 320, 240, black=5), sizes=(256, "64x64"))
    assert result.source_format == name and (result.source_width, result.source_height) == (320, 240)
    assert result.details == {"poster-time": "0.500", "duration": "1.500"}, "after 5 black frames at 10 a second"
    big, box = result.thumbnails
    assert (big.width, big.height, box.width, box.height) == (256, 192, 64, 64)
    shown = Image.open(io.BytesIO(big.data)).convert("RGB")
    red, green, _ = shown.getpixel((4, 4))
    assert red > 200 and green < 80, "the photo's red marker, top-left: not a black frame"
    key = thumbnail_key("thumbnails/", Size(256, 0), f"clips/a.{container}", result.source_format, big.format)
    assert key == f"thumbnails/256/clips/a.{container}.webp"


def test_a_phones_portrait_video_is_shown_upright():
    """A phone stores a portrait video on its side with a matrix that turns it: the poster is turned as players
    show it (90 degrees clockwise), the same picture as the frame turned by Pillow."""
    result = poster(held_upright(make_video("mp4", 320, 240, black=0)), sizes=(320,), requested_format="png")
    assert (result.source_width, result.source_height) == (240, 320)
    shown = Image.open(io.BytesIO(result.thumbnails[0].data)).convert("RGB")
    expected = photo(320, 240).transpose(Image.Transpose.ROTATE_270)
    assert max(ImageStat.Stat(ImageChops.difference(shown, expected)).mean) < 8


def test_a_poster_time_takes_the_frame_there():
    assert poster(make_video("mp4"), poster_seconds=1.2).details["poster-time"] == "1.200"
    past_the_end = poster(make_video("mp4"), poster_seconds=60).details["poster-time"]
    assert past_the_end == "1.400", "past the end: the last frame"


def test_a_video_black_throughout_gives_its_first_frame():
    assert poster(make_video("webm", black=6, frames=0)).details["poster-time"] == "0.000"


def test_the_container_is_told_from_the_first_bytes_alone():
    assert video.container(make_video("mp4")) == "MP4" and video.container(make_video("mov")) == "MOV"
    assert video.container(make_video("webm")) == "WEBM"
    for header in (
        b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heic",  # an iPhone photo is not a video
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00",
        b"#EXTM3U\n#EXT-X-TARGETDURATION:10\nhttp://example.com/a.ts\n",  # HLS
        b"ffconcat version 1.0\nfile '/etc/passwd'\n",  # concat
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",  # Matroska, not WebM
    ):
        assert video.container(header) is None
        assert previews.kind(header, ON) is None


@pytest.mark.parametrize(
    "data",
    [
        b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\nhttp://169.254.169.254/latest/meta-data/\n",
        b"ffconcat version 1.0\nfile '/etc/passwd'\n",
    ],
    ids=["hls", "concat"],
)
def test_a_playlist_never_reaches_ffmpeg(data, monkeypatch):
    monkeypatch.setattr(av, "open", lambda *a, **k: pytest.fail("FFmpeg was asked to open a playlist"))
    with pytest.raises(ImageRejected, match=r"not an image in a supported format \(.*MP4, MOV, WebM\)"):
        poster(data)


def test_ffmpeg_is_told_the_demuxer_and_may_open_nothing_else(monkeypatch):
    calls = []
    real = av.open

    def recording(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    data = make_video("mov")
    monkeypatch.setattr(av, "open", recording)
    poster(data)
    [kwargs] = calls
    assert kwargs["format"] == "mov" and kwargs["io_open"] is video._refuse
    assert kwargs["container_options"]["enable_drefs"] == "0"
    with pytest.raises(PermissionError, match="may not open anything else"):
        video._refuse("http://169.254.169.254/", 1, {})


@pytest.mark.parametrize(
    "make, options, patch, message, reason",
    [
        (partial(make_video, "mp4", 640, 480), {"max_pixels": 10**5}, {}, "307200 pixels, more", "too-many-pixels"),
        (partial(make_video, "mp4", 640, 480), {"memory_mb": 130}, {}, "MB to decode, more than", "too-little-memory"),
        (partial(make_video, "mp4", streams=2), {}, {"MAX_STREAMS": 1}, "2 streams, more than 1", "too-many-streams"),
        (partial(make_video, "webm"), {}, {"MAX_SECONDS": 1}, "video lasts 2 s, more than 1 s", "too-long"),
        (partial(make_video, "mov", codec="png"), {}, {}, "MOV video in png, which is not", "unsupported-codec"),
        (lambda: b"\x00\x00\x00\x18ftypisom" + b"\x00" * 400, {}, {}, "corrupt MP4 video", "corrupt"),
    ],
    ids=["pixels", "memory", "streams", "duration", "codec", "garbage"],
)  # fmt: skip
def test_every_cap_refuses_before_a_frame_is_decoded(make, options, patch, message, reason, monkeypatch):
    data = make()
    for name, value in patch.items():
        monkeypatch.setattr(video, name, value)
    monkeypatch.setattr(av.container.InputContainer, "decode", lambda *a, **k: pytest.fail("a frame was decoded"))
    with pytest.raises(ImageRejected, match=message) as refused:
        poster(data, **options)
    assert reason_of(str(refused.value)) == reason


def test_a_video_cut_short_is_a_poster_or_a_named_refusal():
    for container in ("mp4", "mov", "webm"):
        data = make_video(container)
        for cut in (len(data) // 4, len(data) // 2, len(data) - 10):
            try:
                assert poster(data[:cut]).thumbnails
            except ImageRejected as exc:
                assert reason_of(str(exc)) in {"corrupt", "no-video"}, exc


def test_decoded_in_the_containment_child_with_its_own_time_limit():
    data = make_video("mp4")
    assert not containment.decoded_in_process(data) and previews.seconds(data, ON) == video.DECODE_SECONDS
    result = containment.contained(lambda: poster(data), seconds=video.DECODE_SECONDS)
    assert result.details["poster-time"] == "0.500"


def test_without_video_in_extra_formats_a_video_is_not_read():
    with pytest.raises(ImageRejected, match=r"not an image in a supported format \(JPEG, PNG, WebP, GIF\)"):
        make_thumbnails(io.BytesIO(make_video("mp4")), [256])


def test_real_videos_of_every_container_give_a_poster_or_a_named_refusal():
    """pymediainfo's and filetype's test files (MP4, MOV, Matroska, audio-only MP4s) and the GNOME help's WebM."""
    prepare_decoders(ON)
    outcomes = {}
    for path in video_test_files():
        render = partial(make_thumbnails, path, [256], extra_formats=ON, memory_mb=1024)
        try:
            outcomes[f"{path.parent.name}/{path.name}"] = containment.contained(render, seconds=video.DECODE_SECONDS)
        except ImageRejected as exc:
            outcomes[f"{path.parent.name}/{path.name}"] = reason_of(str(exc))
    made = {name: result.source_format for name, result in outcomes.items() if not isinstance(result, str)}
    assert set(made.values()) == {"MP4", "MOV", "WEBM"}, outcomes
    refused = {name: why for name, why in outcomes.items() if isinstance(why, str)}
    assert set(refused.values()) <= {"no-video", "not-an-image"}, refused
    assert refused["pymediainfo-7.0.1-videos/sample.mkv"] == "not-an-image", "Matroska is not one of the three"


def test_the_memory_estimate_covers_a_poster(tmp_path):
    """The peak resident memory of a 1080p H.264 poster (made into 1920 and 256), per pixel, stays under
    BYTES_PER_PIXEL: measured in a fresh process against its own baseline."""
    path = tmp_path / "hd.mp4"
    path.write_bytes(make_video("mp4", 1920, 1080, black=1, frames=2))
    code = (
        "import resource, sys; sys.path[:0] = ['function', '.'];"
        "from thumbnailer.picture.imaging import make_thumbnails, prepare_decoders;"
        "prepare_decoders(('video',)); before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        f"make_thumbnails({str(path)!r}, [1920, 256], extra_formats=('video',));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)"
    )
    grown_kb = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert grown_kb * 1024 / (1920 * 1080) < video.BYTES_PER_PIXEL
