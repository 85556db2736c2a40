"""A server of the test's own on loopback, for what the sandbox cannot be: a host that redirects,
cuts an answer short, proxies, or speaks TLS."""

import contextlib
import http.server
import threading

import pytest


@pytest.fixture
def local_server():
    """serve(handler_class, tls=None) -> the server's base URL, until the test ends."""
    with contextlib.ExitStack() as stack:

        def serve(handler_class, tls=None) -> str:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
            if tls is not None:
                server.socket = tls.wrap_socket(server.socket, server_side=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
            scheme = "https" if tls is not None else "http"
            return f"{scheme}://127.0.0.1:{server.server_address[1]}"

        yield serve
