"""A server of the test's own on loopback, for what the sandbox cannot be: a host that redirects
or cuts an answer short (a proxy or a TLS host that records calls: `tests.sandbox.receiver`)."""

import contextlib
import http.server
import threading

import pytest


@pytest.fixture
def local_server():
    """serve(handler_class) -> the server's base URL, until the test ends."""
    with contextlib.ExitStack() as stack:

        def serve(handler_class) -> str:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
            return f"http://127.0.0.1:{server.server_address[1]}"

        yield serve
