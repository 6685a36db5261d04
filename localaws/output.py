"""A runtime process's output, cut into one segment per invocation.

The process writes to one pipe for its whole life. After the Runtime API has the invocation's answer, localaws
writes a mark with the request id into the same pipe; everything before the mark is that invocation's output, so
the mark follows every byte the function wrote before it answered.
"""

from __future__ import annotations

import os
import threading

_MARK = b"\x00localaws-end:"  # written by localaws after an invocation's output, never by a function


class ProcessOutput:
    """The pipe a process writes to (``fd``, for its stdout and stderr) and the thread that reads it."""

    def __init__(self) -> None:
        self._read_end, self.fd = os.pipe()
        self._segments: dict[bytes, bytes] = {}
        self._output = threading.Condition()

    def start(self) -> None:
        """Read from now on (once the process has the write end)."""
        threading.Thread(target=self._read, args=(self._read_end,), name="localaws-env-log", daemon=True).start()

    def _read(self, fd: int) -> None:
        pending = b""
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                pending += chunk
                while (start := pending.find(_MARK)) >= 0 and (end := pending.find(b"\n", start)) >= 0:
                    with self._output:
                        self._segments[pending[start + len(_MARK) : end]] = pending[:start]
                        self._output.notify_all()
                    pending = pending[end + 1 :]

    def collect(self, request_id: str) -> str:
        """Everything the process wrote since the last invocation ended: the mark after it is written here, after
        the runtime answered, so it follows every byte the function wrote before."""
        token = request_id.encode()
        os.write(self.fd, _MARK + token + b"\n")
        with self._output:
            self._output.wait_for(lambda: token in self._segments, timeout=5)
            return self._segments.pop(token, b"").decode("utf-8", errors="replace")

    def discard(self) -> None:
        """Close both ends: the process never started."""
        for fd in (self._read_end, self.fd):
            os.close(fd)

    def close(self) -> None:
        """Close the write end: the reader sees the end of its pipe and stops."""
        try:
            os.close(self.fd)
        except OSError:
            pass
