"""Native decoding in a child process (thumbnailer/picture/containment.py): what a child returns or raises comes
back; a crash, a hang or an allocation failure becomes a refusal with a reason, and this process goes on."""

from __future__ import annotations

import os
import signal
import time

import pytest

from thumbnailer.errors import ImageRejected, PermanentFailure
from thumbnailer.picture import containment
from thumbnailer.picture.imaging import make_thumbnails

from ..images import encode, jpeg, photo


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def hang() -> None:
    while True:
        time.sleep(1)


def allocate() -> bytes:
    return bytearray(8 * 2**30)  # 8 GB: more than any function's memory


def test_the_childs_answer_comes_back():
    result = containment.contained(lambda: make_thumbnails(__import__("io").BytesIO(jpeg(400, 300)), [100]))
    assert [(t.width, t.height, t.format.name) for t in result.thumbnails] == [(100, 75, "jpeg")]


def test_the_childs_refusal_comes_back_as_itself():
    with pytest.raises(ImageRejected, match="not an image"):
        containment.contained(lambda: make_thumbnails(__import__("io").BytesIO(b"nothing"), [100]))


def test_a_crash_is_a_refusal_naming_the_signal():
    with pytest.raises(ImageRejected, match=r"the decoder crashed \(SIGSEGV\)") as refused:
        containment.contained(crash)
    assert isinstance(refused.value, PermanentFailure)
    assert containment.contained(lambda: os.getpid()) != os.getpid()  # this process is alive, and still forks


def test_a_hang_is_stopped_at_the_time_limit():
    started = time.monotonic()
    with pytest.raises(ImageRejected, match="decoding took longer than 0.5 s"):
        containment.contained(hang, seconds=0.5)
    assert time.monotonic() - started < 5


def test_an_allocation_beyond_the_functions_memory_fails_in_the_child():
    with pytest.raises(ImageRejected, match="more memory than the function's memory_size of 512 MB"):
        containment.contained(allocate, memory_mb=512)


@pytest.mark.parametrize(
    ("fmt", "in_process"),
    [("JPEG", True), ("PNG", False), ("GIF", False), ("WEBP", False)],
)
def test_only_a_jpeg_is_decoded_in_process(fmt, in_process):
    header = encode(photo(64, 48), fmt)[:64]
    assert containment.decoded_in_process(header) is in_process
    assert containment.header_read_in_process(header) is (fmt != "WEBP")


def test_heif_and_avif_are_sniffed_as_isobmff():
    assert containment.sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "ISOBMFF"
    assert containment.sniff(b"\x00\x00\x00\x1cftypavif") == "ISOBMFF"
    assert not containment.decoded_in_process(b"\x00\x00\x00\x18ftypheic")
