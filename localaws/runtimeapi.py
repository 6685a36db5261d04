"""Lambda's Runtime API (version 2018-06-01) for one execution environment, served on 127.0.0.1.

The runtime in the environment (AWS's runtime interface client, awslambdaric) finds it in
``AWS_LAMBDA_RUNTIME_API`` and, as on Lambda:

- ``GET /2018-06-01/runtime/invocation/next`` waits for an invocation: the event as the body, the request ID,
  deadline, function ARN and trace ID as ``Lambda-Runtime-*`` headers. Its first call ends the init phase.
- ``POST /2018-06-01/runtime/invocation/{id}/response`` -- the handler's result;
- ``POST /2018-06-01/runtime/invocation/{id}/error`` -- its error (``errorMessage``, ``errorType``,
  ``stackTrace``; the type also in ``Lambda-Runtime-Function-Error-Type``);
- ``POST /2018-06-01/runtime/init/error`` -- the init phase failed (the handler's module did not import): the
  runtime exits, and the invocation waiting for it fails with that error.

An unknown request ID answers 400, as Lambda does; a result posted twice answers 400 the second time.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("localaws")

PREFIX = "/2018-06-01/runtime"


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    function_arn: str
    timeout: float
    deadline_ms: int = 0  # set when the runtime takes it
    taken_at: float = 0.0  # time.monotonic() when the runtime took it (the end of a cold start's init)
    done_at: float = 0.0  # and when its result came back: Duration is the time between
    taken: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    body: bytes = b""  # the result, or Lambda's error object
    error_type: str | None = None  # None: the handler returned

    def finish(self, body: bytes, error_type: str | None) -> bool:
        if self.done.is_set():
            return False
        self.body, self.error_type = body, error_type
        self.done_at = time.monotonic()
        self.done.set()
        return True


class RuntimeAPI:
    """The Runtime API of one environment; ``address`` goes into ``AWS_LAMBDA_RUNTIME_API``."""

    def __init__(self) -> None:
        self._pending: queue.Queue[Invocation | None] = queue.Queue()
        self._current: Invocation | None = None
        self.initialised = threading.Event()  # the runtime asked for its first invocation
        self.init_error: tuple[bytes, str] | None = None  # (body, error type) posted to /init/error
        self.ended = threading.Event()  # init failed or the environment is closing: nothing more will be taken
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the runtime client keeps its connection open
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for a delayed ACK

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    return self._answer(404, {"errorMessage": "not found", "errorType": "NotFound"})
                invocation = api._next()
                if invocation is None:  # closing: the process is being stopped
                    return self._answer(500, {"errorMessage": "environment closing", "errorType": "Shutdown"})
                self._answer(
                    200,
                    invocation.payload,
                    {
                        "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                        "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                        "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                        "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{invocation.request_id[-24:]}",
                        "Content-Type": "application/json",
                    },
                )

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
                if self.path == f"{PREFIX}/init/error":
                    api._init_failed(body, error_type or "Runtime.Unknown")
                    return self._answer(202, {"status": "OK"})
                parts = self.path[len(PREFIX) :].strip("/").split("/")
                if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in ("response", "error"):
                    return self._answer(404, {"errorMessage": "not found", "errorType": "NotFound"})
                current = api._current
                if current is None or current.request_id != parts[1]:
                    return self._answer(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
                accepted = current.finish(body, (error_type or "Unhandled") if parts[2] == "error" else None)
                if not accepted:
                    return self._answer(400, {"errorMessage": "Invalid state transition", "errorType": "InvalidState"})
                self._answer(202, {"status": "OK"})

            def _answer(self, status: int, body: bytes | dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers or {"Content-Type": "application/json"}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the runtime went away (killed for a timeout or its memory)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="localaws-runtime-api", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_port}"

    def offer(self, invocation: Invocation) -> None:
        """Hand ``invocation`` to the runtime's next ``/next``."""
        self._pending.put(invocation)

    def _next(self) -> Invocation | None:
        self.initialised.set()
        invocation = self._pending.get()
        if invocation is None:
            self._pending.put(None)  # every later /next ends too
            return None
        invocation.deadline_ms = int((time.time() + invocation.timeout) * 1000)
        invocation.taken_at = time.monotonic()
        self._current = invocation
        invocation.taken.set()
        return invocation

    def _init_failed(self, body: bytes, error_type: str) -> None:
        self.init_error = (body, error_type)
        self.ended.set()

    def close(self) -> None:
        self.ended.set()
        self._pending.put(None)
        self._server.shutdown()
        self._server.server_close()
