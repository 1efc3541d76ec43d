"""A small HTTPS server on 127.0.0.1 whose answers each test decides.

For the failures the simulator does not stage: truncated JSON, a slow answer, 429/503
with Retry-After, a proxy's HTML page, a status KPB never documents, a certificate from
another CA, a server that speaks only TLS 1.0. Real sockets and real TLS; the transport
is never mocked.
"""

from __future__ import annotations

import json
import socket
import ssl
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import examples
from .pki import CA, Issued


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    client_subject: str | None
    #: the client's port: one port, one connection, one TLS handshake
    client_port: int
    at: float
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: close the connection without any answer
    hang_up: bool = False
    #: writes the whole answer, status line included, to the connection itself (for
    #: hostile servers: bodies that never end, bytes that drip); the connection is then
    #: closed
    write: Callable[[Any], None] | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, *, delay: float = 0.0) -> Reply:
        body = json.dumps(data).encode()
        return cls(status, body, {"Content-Type": "application/json"}, delay=delay)

    @classmethod
    def message(cls, status: int, message: str) -> Reply:
        return cls.json({"Message": message}, status)


Handler = Callable[[Request], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # TLS failures staged by a test are expected


class TestServer:
    """``with TestServer(handler, ca=...) as server: server.base_url``."""

    __test__ = False

    def __init__(
        self,
        handler: Handler,
        *,
        server_cert: Issued | None,
        client_ca: CA | None = None,
        require_client_cert: bool = False,
        maximum_tls: ssl.TLSVersion | None = None,
        minimum_tls: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
    ) -> None:
        self.requests: list[Request] = []
        #: the requests whose answer was written to the socket in full
        self.answered: list[Request] = []
        self._lock = threading.Lock()
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request line carries the cpr; nothing goes to stderr

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                subject = None
                if isinstance(self.connection, ssl.SSLSocket):
                    peer = self.connection.getpeercert()
                    if peer:
                        subject = str(peer.get("subject"))
                request = Request(
                    "GET",
                    parts.path,
                    parse_qs(parts.query),
                    subject,
                    self.client_address[1],
                    time.monotonic(),
                    {k.lower(): v for k, v in self.headers.items()},
                )
                with outer._lock:
                    outer.requests.append(request)
                reply = handler(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.write is not None:
                    self.close_connection = True
                    reply.write(self.wfile)
                    return
                if reply.hang_up:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()
                with outer._lock:
                    outer.answered.append(request)

            do_POST = do_GET

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self.tls = server_cert is not None
        if server_cert is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            with warnings.catch_warnings():  # ssl.TLSVersion.TLSv1 is deprecated, on purpose
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = minimum_tls
                if maximum_tls is not None:
                    context.maximum_version = maximum_tls
            if minimum_tls < ssl.TLSVersion.TLSv1_2:
                context.set_ciphers("DEFAULT:@SECLEVEL=0")  # what an old server still offers
            with tempfile.TemporaryDirectory(prefix="kpb-test-server-") as directory:
                cert_path, key_path = server_cert.write_pem(Path(directory), "server")
                context.load_cert_chain(cert_path, key_path)
            if client_ca is not None:
                context.load_verify_locations(cadata=client_ca.cert_pem.decode())
                context.verify_mode = (
                    ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
                )
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/api"

    def count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def __enter__(self) -> TestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def kpb(request: Request) -> Reply:
    """KPB as the PDF describes it, answering the PDF's examples for any number."""
    route = request.path.removeprefix("/api").lower()
    if route == "/test":
        return Reply.json(["Hello", "World"])
    if route not in ("/medicalcertificate", "/application"):
        uri = f"https://127.0.0.1{request.path}?cpr={request.query.get('cpr', [''])[0]}"
        return Reply.message(
            404, f"No HTTP resource was found that matches the request URI '{uri}'."
        )
    if request.client_subject is None:
        return Reply.message(401, "Certificate required")
    if not request.query.get("cpr"):
        return Reply.message(400, 'Parameter "cpr" mangler.')
    if route == "/medicalcertificate":
        return Reply.json(examples.medical_certificates())
    return Reply.json(examples.applications())
