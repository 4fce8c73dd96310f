"""A real HTTP server on 127.0.0.1 for URL-loading tests (shared by the tests that fetch URLs).

Tests talk to an actual socket rather than a mocked transport, so timeouts, streaming
limits, redirects and charsets are exercised the way ``httpx`` meets them in use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    #: Seconds to wait before answering (released early when the server stops).
    delay_s: float = 0.0
    #: Send the body one byte at a time with this pause between bytes.
    trickle_s: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


class LocalServer:
    """Routes, base URL and a release switch for handlers that are made to wait."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.release = threading.Event()
        self.base_url = ""

    def url(self, path: str, reply: Reply) -> str:
        self.routes[path] = reply
        return f"{self.base_url}{path}"


def _handler(server_state: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply = server_state.routes.get(self.path)
            if reply is None:
                self.send_error(404, "Not Found")
                return
            if reply.delay_s and server_state.release.wait(reply.delay_s):
                return
            self.send_response(reply.status)
            if reply.content_type is not None:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers:
                self.send_header(name, value)
            if not reply.trickle_s:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            try:
                if reply.trickle_s:
                    for index in range(len(reply.body)):
                        if server_state.release.is_set():
                            return
                        self.wfile.write(reply.body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(reply.trickle_s)
                else:
                    self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler


@contextmanager
def serve() -> Iterator[LocalServer]:
    """Run a threaded HTTP server on a random loopback port for the duration."""
    state = LocalServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    httpd.block_on_close = False
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()
