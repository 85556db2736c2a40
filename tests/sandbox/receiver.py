"""A tiny local HTTP receiver: records every request and answers as told. The sandbox's pushes
are sent to it, and the Shopee client's calls through a proxy or over TLS
(`tests/shopee/test_transport.py`)."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """``url`` is where to point ``push_url``; ``status`` and ``answer`` are what it answers (200
    and no body by default, a body as JSON); ``on_request`` (optional) runs before answering,
    e.g. to call the sandbox back. With ``tls`` (a server SSLContext) it speaks HTTPS."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.received: list[Received] = []
        self.status = 200
        self.answer = b""
        self.on_request: Callable[[Received], Any] | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (stdlib name)
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(self.path, dict(self.headers), self.rfile.read(length))
                if receiver.on_request is not None:
                    receiver.on_request(request)
                receiver.received.append(request)
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                if receiver.answer:
                    self.send_header("Content-Type", "application/json")
                self.end_headers()
                if receiver.answer:
                    self.wfile.write(receiver.answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/shopee/push"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait until ``count`` requests arrived; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.received) >= count, self.received
        return self.received

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
