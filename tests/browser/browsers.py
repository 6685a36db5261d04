"""Pages for real browsers (devkit/browsers.py runs Debian's headless Chromium and Firefox ESR).

A page is served over HTTP by a small server of the test's own (``Site``), and each browser takes one screenshot
of it. A page that has work to finish after its pictures load (decoding every frame of an animation, reporting
what it chose) holds its ``load`` event with ``<img src="/hold">``, which the server answers only once the page
has asked for ``/done``: both browsers take their screenshot after ``load``, so the screenshot is taken when the
page says it is ready, never after a guessed delay.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devkit.browsers import BROWSERS, screenshot, version

__all__ = ["BROWSERS", "HOLD", "Site", "screenshot", "serving", "version"]

HOLD = '<img src="/hold" alt="" style="position:absolute;left:-10px;top:-10px;width:1px;height:1px">'
HELD_FOR = 60  # seconds /hold waits for /done at most: a page whose script failed still gets its screenshot
# A transparent 1x1 PNG, the answer to /hold.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d605d00000000049454e44ae426082"
)


@dataclass
class Site:
    """What the server answers: ``files`` by path (bytes and Content-Type); what pages POST to /report."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    reports: list[dict] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def add(self, path: str, data: bytes, content_type: str) -> str:
        self.files["/" + path.lstrip("/")] = (data, content_type)
        return f"{self.url}/{path.lstrip('/')}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, data: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/hold":
                site.done.wait(HELD_FOR)
                self._send(PIXEL, "image/png")
            elif path == "/done":
                site.done.set()
                self._send(b"ok", "text/plain")
            elif path in site.files:
                self._send(*site.files[path])
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/report":
                site.reports.append(json.loads(body))
                self._send(b"ok", "text/plain")
            else:
                self.send_error(404)

    return Handler


@contextmanager
def serving(site: Site) -> Iterator[Site]:
    """Serve ``site`` on a free loopback port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.done.set()  # a browser still holding /hold is let go
        server.shutdown()
        server.server_close()
