"""The simulator under load and against oversized requests, over real sockets."""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import time
from collections.abc import Iterator

import pytest

from kpb_sim import Simulator
from kpb_sim._server import _Server, _Service

pytestmark = pytest.mark.network


def _exchange(simulator: Simulator, context: ssl.SSLContext, request: bytes) -> bytes:
    """Send *request*, return everything the simulator answers until it closes."""
    with (
        socket.create_connection(("127.0.0.1", simulator.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        # The simulator may answer and close before the request is all sent.
        with contextlib.suppress(OSError):
            tls.sendall(request)
        answer = b""
        try:
            while chunk := tls.recv(65536):
                answer += chunk
        except (OSError, ssl.SSLError):
            pass
        return answer


@pytest.fixture
def tls(kpb_sim: Simulator) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(kpb_sim.certificates.ca_cert))


def test_an_oversized_request_line_is_answered_414(kpb_sim: Simulator, tls: ssl.SSLContext) -> None:
    target = b"/api/test?" + b"a" * 70_000
    answer = _exchange(kpb_sim, tls, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 414 Request-URI Too Long\r\n"), answer[:100]
    assert b"Connection: close" in answer


def test_oversized_headers_are_answered_431(kpb_sim: Simulator, tls: ssl.SSLContext) -> None:
    # Each line is within the per-line limit; together they are 3 MB.
    headers = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"a" * 60_000) for n in range(50))
    request = b"GET /api/test HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"
    answer = _exchange(kpb_sim, tls, request)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer[:100]


def test_requests_within_the_limits_are_still_answered(
    kpb_sim: Simulator, tls: ssl.SSLContext
) -> None:
    headers = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"a" * 500) for n in range(60))
    request = b"GET /api/test?" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n" + headers
    answer = _exchange(kpb_sim, tls, request + b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer[:100]
    assert answer.endswith(b'["Hello","World"]')


@pytest.fixture
def listening_only() -> Iterator[_Server]:
    """A simulator server that listens but does not accept yet, as when a burst of
    clients arrives faster than the accept loop runs."""
    server = _Server(("127.0.0.1", 0), _Service(None, {}, None), None)
    try:
        yield server
    finally:
        server.server_close()


def test_the_listen_queue_holds_a_burst_of_new_connections(listening_only: _Server) -> None:
    port = listening_only.server_port
    burst = 300
    sockets = [socket.socket() for _ in range(burst)]
    try:
        for sock in sockets:
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
        # A connection the queue had no room for stays unanswered (its SYN dropped),
        # and its retry comes a second later at the earliest.
        pending = set(sockets)
        deadline = time.monotonic() + 0.8
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], list(pending), [], 0.05)
            pending.difference_update(writable)
        connected = [
            s
            for s in sockets
            if s not in pending and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        ]
    finally:
        for sock in sockets:
            sock.close()
    assert len(connected) == burst
