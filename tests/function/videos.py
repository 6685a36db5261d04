"""Videos made by the tests with PyAV's encoders (a development dependency; the function only decodes): black
frames first, then the test photo (a red marker in its top-left corner), so a poster's choice can be checked."""

from __future__ import annotations

import io
import struct
from fractions import Fraction

import av
from PIL import Image

from .images import photo

# Each container with the codec a phone, a camera or a browser writes in it.
CODECS = {"mp4": "libx264", "mov": "libx264", "webm": "libvpx-vp9"}


def video(
    container: str = "mp4",
    width: int = 320,
    height: int = 240,
    black: int = 5,
    frames: int = 10,
    rate: int = 10,
    streams: int = 1,
    codec: str | None = None,
) -> bytes:
    """``black`` black frames, then ``frames`` of the photo (each frame's brightness a little higher, so frames
    differ), ``rate`` a second; ``streams`` video streams in all; ``codec``: another encoder than the container's
    usual one."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        encoders = []
        for _ in range(streams):
            stream = out.add_stream(codec or CODECS[container], rate=rate)
            stream.width, stream.height = width, height
            stream.pix_fmt = "rgb24" if codec == "png" else "yuv420p"
            stream.time_base = Fraction(1, rate)
            encoders.append(stream)
        picture = photo(width, height)
        for index in range(black + frames):
            lifted = picture.point([min(255, v + index) for v in range(256)] * 3)  # each a little brighter
            image = Image.new("RGB", (width, height)) if index < black else lifted
            for stream in encoders:
                frame = av.VideoFrame.from_image(image)
                frame.pts = index
                frame.time_base = stream.time_base
                for packet in stream.encode(frame):
                    out.mux(packet)
        for stream in encoders:
            for packet in stream.encode():
                out.mux(packet)
    return buf.getvalue()


def held_upright(data: bytes) -> bytes:
    """An MP4 of ``video()`` with the track matrix a phone held upright writes (0 1 / -1 0: shown turned 90 degrees
    clockwise, what ffprobe calls a rotation of -90): its ``tkhd`` box's matrix rewritten in place."""
    out = bytearray(data)
    at = out.index(b"tkhd")
    version = out[at + 4]
    times = 4 * 5 if version == 0 else 8 + 8 + 4 + 4 + 8  # creation, modification, track id, reserved, duration
    matrix = at + 4 + 4 + times + 8 + 2 + 2 + 2 + 2  # past reserved, layer, alternate group, volume, reserved
    assert out[matrix : matrix + 36] == struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    out[matrix : matrix + 36] = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)
    return bytes(out)
