"""Native decoders kept at arm's length: a crash, a hang or an allocation failure in one refuses that picture.

libheif, libavif, libwebp, zlib and Pillow's own C decoders parse bytes anyone could have uploaded. A segmentation
fault inside one of them would kill the Lambda runtime (``Runtime.ExitError``): an S3 event would be retried and
fail again, and in SQS mode the whole batch would come back, the good pictures beside the bad one with it. So every
picture but a JPEG is decoded in a forked child process, as browsers isolate their decoders: the child has its own
time limit and address-space limit, and sends the thumbnails back through a pipe. The parent sees a crash (a
signal), a hang (the time limit) or an allocation failure (``MemoryError``) and refuses that record with a reason;
the runtime and the other records of the invocation go on.

A JPEG stays in the process: libjpeg-turbo is the most fuzzed of these decoders and the common case, and it is
the path the cold start and the benchmarks measure. What a fork costs per picture is measured by
``python -m benchmarks.containment`` and said in docs/security.md.

What this is not: a sandbox against an exploited decoder. The child is a copy of the function's process (its
credentials included); containment turns faults into refusals, it does not stop code that runs in the child.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import ImageRejected

T = TypeVar("T")

DECODE_SECONDS = 30.0  # a picture whose decoding takes longer is refused (a hang, or a bomb of another kind)
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
IN_PROCESS = frozenset({"JPEG"})  # formats decoded in the function's own process; everything else in a child
# Formats whose header Pillow reads in Python (no native code before the pixels): checked in the process.
PYTHON_HEADERS = frozenset({"JPEG", "PNG", "GIF"})
_CHUNK = 1 << 16


def sniff(header: bytes) -> str | None:
    """The format the first bytes announce (JPEG, PNG, GIF, WEBP, or ISOBMFF for HEIF/AVIF), None otherwise."""
    for signature, name in _SIGNATURES:
        if header.startswith(signature):
            return name
    if header[:4] == b"RIFF" and header[8:12] == b"WEBP":
        return "WEBP"
    if header[4:8] == b"ftyp":
        return "ISOBMFF"
    return None


def decoded_in_process(header: bytes) -> bool:
    """Whether a picture with these first bytes is decoded in the function's own process."""
    return sniff(header) in IN_PROCESS


def header_read_in_process(header: bytes) -> bool:
    """Whether these first bytes can be inspected in the function's own process (Pillow parses them in Python)."""
    return sniff(header) in PYTHON_HEADERS


def contained(work: Callable[[], T], *, seconds: float = DECODE_SECONDS, memory_mb: int = 0) -> T:
    """``work()`` in a forked child, its return value (or exception) sent back; a child that dies, runs longer than
    ``seconds`` or cannot allocate what it needs becomes an ``ImageRejected`` naming what happened.

    ``memory_mb``: the function's memory (0: no limit). The child may grow its address space by what the function
    has left, so an allocation beyond it fails in the child (``MemoryError``) instead of the sandbox being killed.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(work, read_fd, write_fd, memory_mb)
    os.close(write_fd)
    try:
        data, timed_out = _read(read_fd, seconds)
    finally:
        os.close(read_fd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        raise ImageRejected(f"decoding took longer than {seconds:g} s; the decoder was stopped")
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        raise ImageRejected(f"the decoder crashed ({name}) on this picture; the function carried on without it")
    try:
        ok, value = pickle.loads(data)
    except Exception:  # a child that exited without a complete answer
        code = os.waitstatus_to_exitcode(status)
        raise ImageRejected(f"the decoder ended without an answer (exit status {code})") from None
    if ok:
        return value
    if isinstance(value, MemoryError):
        raise ImageRejected(f"decoding needed more memory than the function's memory_size of {memory_mb} MB")
    raise value


def _child(work: Callable[[], object], read_fd: int, write_fd: int, memory_mb: int) -> None:
    status = 0
    try:
        faulthandler.disable()  # a crash here is the parent's to report, not a traceback of the parent's stack
        os.close(read_fd)
        if memory_mb:
            limit = _address_space() + max(0, memory_mb * 2**20 - _resident())
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            answer: tuple[bool, object] = (True, work())
        except BaseException as exc:  # sent to the parent, which raises it
            answer = (False, exc)
        try:
            data = pickle.dumps(answer)
        except Exception as exc:  # an exception that does not pickle: its words do
            data = pickle.dumps((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")))
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view[:_CHUNK]) :]
    except BaseException:
        status = 1
    finally:
        os._exit(status)  # no atexit, no buffered output of the parent written twice


def _read(fd: int, seconds: float) -> tuple[bytes, bool]:
    """Everything the child writes, until it closes the pipe or ``seconds`` pass (then True)."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", True
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return b"", True
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _address_space() -> int:
    return _status_kb("VmSize") * 1024


def _resident() -> int:
    return _status_kb("VmRSS") * 1024
