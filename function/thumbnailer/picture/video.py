"""A video's poster frame (``extra_formats = ["video"]``): the first frame that is not black, or the frame at
``VIDEO_POSTER_SECONDS``, made into thumbnails like any picture.

FFmpeg (through PyAV, in a layer of its own: docs/previews.md) parses bytes anyone could have uploaded, so it is
given as little as possible, and everything is decided before a frame is decoded:

- the container is chosen from the file's own first bytes among MP4, MOV and WebM (``container``), and the demuxer
  is named explicitly: FFmpeg's format probing never runs, so no HLS, concat, image2 or other demuxer is reachable;
- the file is read through a Python file object, and any other file or URL a demuxer asks to open (a MOV's data
  references, a playlist's entries) is refused by ``io_open``: no protocol, no network, no other local file;
- the number of streams, the duration (when the container states one), the frame's pixels and the memory they need
  are capped, and only the decoders of ``CODECS`` are used;
- the search for a frame that is not black stops after ``SEARCH_FRAMES`` frames, and the containment child that
  runs all of it has its own time limit (``DECODE_SECONDS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from PIL import Image

from ..errors import ImageRejected
from . import memory
from .sizes import Size

if TYPE_CHECKING:
    import av.container

DECODE_SECONDS = 20.0  # the containment child's time limit for a video
MAX_STREAMS = 16  # video, audio, subtitle and data streams together
MAX_SECONDS = 6 * 3600  # a longer stated duration is refused before a frame is decoded
SEARCH_FRAMES = 300  # frames looked at for one that is not black (10 s at 30 frames a second)
SEEK_FRAMES = 3000  # frames decoded from the key frame before VIDEO_POSTER_SECONDS, at most
BLACK_LEVEL = 24  # a frame whose brightest tenth stays under this luma (0-255) is black (a fade-in, a slate)
# Peak bytes a frame's pixel costs (before the margin): FFmpeg's buffers and the decoder's reference frames, the
# RGB picture, the thumbnails. Measured 21 (a 4K H.264) to 30 (a 1024x768 VP9: fixed costs weigh more) by
# tests/function/picture/test_video.py::test_the_memory_estimate_covers_a_poster and by hand on the real files.
BYTES_PER_PIXEL = 32.0
# The decoders a poster is made with: what MP4, MOV and WebM carry in practice. Anything else is refused.
# (qtrle: QuickTime Animation, what screen recorders write in MOV.)
CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mjpeg", "prores", "qtrle"})
# Major brands of ISO base media files that are MP4 video (HEIF and AVIF pictures have their own: heic, avif, mif1).
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash",
     b"mmp4", b"MSNV", b"XAVC", b"3gp4", b"3gp5", b"3gp6", b"3g2a"}
)  # fmt: skip
# A QuickTime file without an ftyp box starts with one of these atoms.
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip"})
_EBML = b"\x1a\x45\xdf\xa3"
# FFmpeg's demuxer for each container: named, never probed. (The "mov" demuxer reads MP4 and MOV alike.)
DEMUXERS = {"MP4": "mov", "MOV": "mov", "WEBM": "matroska"}
# Options of those demuxers that could reach outside the file, off (they are off by default; said here so a new
# FFmpeg default cannot turn them on).
_CONTAINER_OPTIONS = {"enable_drefs": "0", "use_absolute_path": "0", "protocol_whitelist": "none"}


@dataclass(frozen=True)
class Poster:
    image: Image.Image
    container: str  # MP4, MOV or WEBM
    seconds: float  # where the poster frame is
    duration: float | None  # as the container states it; None when it does not

    def details(self) -> dict[str, str]:
        found = {"poster-time": f"{self.seconds:.3f}"}
        if self.duration is not None:
            found["duration"] = f"{self.duration:.3f}"
        return found


def container(header: bytes) -> str | None:
    """MP4, MOV or WEBM, from the file's first bytes alone; None for anything else (a HEIF picture included)."""
    if header[4:8] == b"ftyp":
        brand = header[8:12]
        if brand == b"qt  ":
            return "MOV"
        return "MP4" if brand in _MP4_BRANDS else None
    if header[4:8] in _QUICKTIME_ATOMS:
        return "MOV"
    if header.startswith(_EBML):
        return "WEBM" if _doc_type(header[:64]) == b"webm" else None  # Matroska ("matroska") is not taken
    return None


def _doc_type(head: bytes) -> bytes | None:
    """The EBML header's DocType (element 0x4282): its size is a variable-length integer, its value may end in
    zero bytes."""
    at = head.find(b"\x42\x82")
    if at < 0 or at + 2 >= len(head):
        return None
    first = head[at + 2]
    length = next((n for n in range(8) if first & (0x80 >> n)), 8) + 1  # the bytes of the size itself
    if length > 8 or at + 2 + length > len(head):
        return None
    size = first & (0xFF >> length)
    for byte in head[at + 3 : at + 2 + length]:
        size = size << 8 | byte
    value = head[at + 2 + length : at + 2 + length + size]
    return value.rstrip(b"\x00") if len(value) == size else None


def prepare() -> None:
    """Load PyAV and FFmpeg before a video is decoded in a child, so each child inherits them."""
    import av  # noqa: F401


def poster(
    source: str | Path | BinaryIO,
    header: bytes,
    sizes: Sequence[Size],
    max_pixels: int,
    memory_mb: int = 0,
    at_seconds: float | None = None,
) -> Poster:
    """The poster frame of the video ``source`` (its first bytes ``header``): at ``at_seconds``, or the first frame
    that is not black (the first frame when all of the first ``SEARCH_FRAMES`` are)."""
    import av

    kind = container(header)
    if kind is None:
        raise ImageRejected("not a video in a supported container (MP4, MOV, WebM)")
    stream: BinaryIO = open(source, "rb") if isinstance(source, (str, Path)) else source
    try:
        try:
            opened = av.open(
                stream, mode="r", format=DEMUXERS[kind], container_options=dict(_CONTAINER_OPTIONS), io_open=_refuse
            )
        except av.FFmpegError as exc:
            raise ImageRejected(f"corrupt {kind} video: {exc}") from None
        with opened:
            video, duration = _checked(opened, kind, max_pixels, memory_mb)
            image, seconds = _frame(opened, video, kind, at_seconds)
    finally:
        if stream is not source:
            stream.close()
    return Poster(image, kind, seconds, duration)


def _refuse(url: str, flags: int, options: dict[str, str]) -> BinaryIO:
    """PyAV's io_open: any file or URL a demuxer asks for beyond the upload itself."""
    raise PermissionError(f"a video may not open anything else ({url!r})")


def _checked(
    opened: av.container.InputContainer, kind: str, max_pixels: int, memory_mb: int
) -> tuple[av.video.stream.VideoStream, float | None]:
    """The video stream to decode, after every cap that needs no decoding; and the stated duration."""
    streams = len(opened.streams)
    if streams > MAX_STREAMS:
        raise ImageRejected(f"{kind} video has {streams} streams, more than {MAX_STREAMS}")
    if not opened.streams.video:
        raise ImageRejected(f"{kind} file has no video stream")
    video = opened.streams.video[0]
    duration = opened.duration / 1_000_000 if opened.duration and opened.duration > 0 else None
    if duration is not None and duration > MAX_SECONDS:
        raise ImageRejected(f"{kind} video lasts {duration:.0f} s, more than {MAX_SECONDS} s")
    codec = video.codec_context.name
    if codec not in CODECS:
        raise ImageRejected(f"{kind} video in {codec}, which is not decoded here (only {', '.join(sorted(CODECS))})")
    width, height = video.codec_context.width, video.codec_context.height
    if width <= 0 or height <= 0:
        raise ImageRejected(f"corrupt {kind} video: its frames measure {width}x{height}")
    if width * height > max_pixels:
        raise ImageRejected(
            f"{kind} video frames of {width}x{height} are {width * height} pixels, more than "
            f"MAX_IMAGE_PIXELS={max_pixels}"
        )
    if memory_mb:
        needed = memory.RUNTIME_MB + width * height * BYTES_PER_PIXEL * memory.MARGIN / 2**20
        if needed > memory_mb:
            raise ImageRejected(
                f"{kind} video frames of {width}x{height} need about {needed:.0f} MB to decode, more than the "
                f"function's memory_size of {memory_mb} MB: raise memory_size, or lower max_image_pixels"
            )
    video.thread_type = "SLICE"  # frame threading would decode frames ahead that the poster never needs
    return video, duration


def _frame(
    opened: av.container.InputContainer, video: av.video.stream.VideoStream, kind: str, at_seconds: float | None
) -> tuple[Image.Image, float]:
    import av

    first = last = None
    try:
        if at_seconds:
            if video.time_base is None:
                raise ImageRejected(f"corrupt {kind} video: its stream has no time base")
            opened.seek(int(at_seconds / video.time_base), stream=video, backward=True)  # the key frame before it
        for index, frame in enumerate(opened.decode(video)):
            seconds = float(frame.time or 0.0)
            last = frame
            if at_seconds:
                if seconds + 1e-6 < at_seconds and index < SEEK_FRAMES:
                    continue  # decoding on from the key frame to the time asked
                return _upright(frame), seconds
            if not _black(frame):
                return _upright(frame), seconds
            first = first or frame
            if index + 1 >= SEARCH_FRAMES:
                break
    except av.FFmpegError as exc:
        if last is None:
            raise ImageRejected(f"corrupt {kind} video: {exc}") from None
    chosen = last if at_seconds else first  # past the end: the last frame; all black: the first
    if chosen is None:
        raise ImageRejected(f"{kind} video has no frame that can be decoded")
    return _upright(chosen), float(chosen.time or 0.0)


def _upright(frame: av.VideoFrame) -> Image.Image:
    """The frame as shown: a phone's portrait video is stored on its side with a rotation to apply."""
    image = frame.to_image()  # RGB
    turn = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    rotation = int(getattr(frame, "rotation", 0) or 0) % 360
    return image.transpose(turn[rotation]) if rotation in turn else image


def _black(frame: av.VideoFrame) -> bool:
    """Whether the frame's brightest tenth is still dark (a black frame, a fade from black), judged on a small grey
    copy (FFmpeg's own scaler: no full-size RGB picture is made for a frame that is not kept)."""
    small = frame.reformat(width=64, height=max(1, round(64 * frame.height / max(1, frame.width))), format="gray")
    histogram = small.to_image().histogram()
    total, counted = sum(histogram), 0
    for level in range(255, -1, -1):
        counted += histogram[level]
        if counted >= total / 10:
            return level < BLACK_LEVEL
    return True
