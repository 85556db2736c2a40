"""The HTTP server: a threaded standard-library server, one handler thread per connection.

Requests under ``/_sandbox/`` go to :mod:`sandbox.control`, everything else to
:mod:`sandbox.shopee_api`. Answers always carry a ``Content-Length`` (HTTP/1.1 keep-alive
works); the ``drop`` and ``hang`` faults close the connection without a response, and a
request whose body stops short of its ``Content-Length`` is dropped unhandled. Pushes an
answer carries are delivered from a daemon thread once the answer is sent (or, for a dropped or
hung answer, at once), without the state lock (:mod:`sandbox.push`). The server
is quiet unless ``verbose``, and even then logs paths without their query strings (they carry
tokens and signatures).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox import control, push, shopee_api, wire
from sandbox.persistence import load_state, save_state
from sandbox.seeds import SEEDS
from sandbox.state import SandboxState

CONTROL_PREFIX = "/_sandbox"


class SandboxServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer (daemon threads) serving one :class:`SandboxState`.

    ``state_file``: when set, the state is saved there after every state-changing request.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog: tests open many connections at once

    def __init__(
        self,
        address: tuple[str, int],
        state: SandboxState | None = None,
        *,
        state_file: str | os.PathLike[str] | None = None,
        verbose: bool = False,
    ) -> None:
        self.state = state if state is not None else SandboxState()
        self.state_file = state_file
        self.verbose = verbose
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Close the listening socket and every open connection (idle keep-alive ones too)."""
        super().server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def persist(self) -> None:
        """Save the state if ``state_file`` is set; called with the state lock held."""
        if self.state_file is not None:
            save_state(self.state, self.state_file)


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ShopeeSandbox/1.0"
    timeout = 120  # seconds an idle keep-alive connection may hold a thread
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms stalls
    server: SandboxServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _read_body(self) -> bytes | None:
        """The request's body, or None when the client went away before sending all of it."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return b""
        try:
            body = self.rfile.read(length)
        except OSError:
            return None
        return body if len(body) == length else None

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = self._read_body()
        if body is None:
            # Like Shopee's front servers: a request cut off mid-body is never handled,
            # logged as a call or answered (a worker killed while sending leaves one).
            self.close_connection = True
            self.log_request("-")
            return
        req = wire.Request(self.command, url.path, query, body)
        server = self.server
        if url.path == CONTROL_PREFIX or url.path.startswith(CONTROL_PREFIX + "/"):
            answer = control.handle(server.state, req, persist=server.persist)
        else:
            answer = shopee_api.handle(server.state, req, persist=server.persist, sleep=time.sleep)
        if answer.action is not None:
            push.deliver_in_background(server.state, answer.pushes, server.persist)
            self._send(answer)
        else:
            self._send(answer)
            push.deliver_in_background(server.state, answer.pushes, server.persist)

    def _send(self, answer: wire.Answer) -> None:
        if answer.action == "hang":
            time.sleep(answer.hang_seconds)
        if answer.action is not None:  # drop or hang: close without a response
            self.close_connection = True
            self.log_request("-")
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if self.server.verbose:
            path = urlsplit(self.path).path
            sys.stderr.write(f"{self.log_date_time_string()} {self.command} {path} {code}\n")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        if self.server.verbose:
            super().log_message(format, *args)


def create_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed: str | None = None,
    state_file: str | os.PathLike[str] | None = None,
    verbose: bool = False,
) -> SandboxServer:
    """Bind a server (port 0: a free port) with its initial state, not yet serving.

    The state comes from ``state_file`` when that file exists, else from the named seed
    (:data:`sandbox.seeds.SEEDS`), else it is empty. With ``state_file`` it is saved at once.
    """
    if seed is not None and seed not in SEEDS:
        raise ValueError(f"unknown seed {seed!r}; known: {', '.join(SEEDS)}")
    state = SandboxState()
    if state_file is None or not load_state(state, state_file):
        if seed is not None:
            state.reset(SEEDS[seed](int(time.time())))
    server = SandboxServer((host, port), state, state_file=state_file, verbose=verbose)
    with state.lock:
        server.persist()
    return server
