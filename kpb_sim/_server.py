"""The simulator: KPB's three services over mutual TLS, and the plain-HTTP refusal.

Built on the standard library's ``http.server`` because it hands the handler the TLS
connection, and so the client certificate; ASGI servers such as uvicorn do not pass it
on. The TLS handshake runs in each connection's own thread, so a slow or silent client
cannot hold up the others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import html
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import socketserver
import ssl
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, unquote

from cryptography import x509

from ._certificates import CertificateSet, thumbprint
from ._data import load_persons
from ._drift import DriftMode, drift_mode
from ._http import JSON_CONTENT_TYPE, route_path
from ._http import Answer as _Response
from ._http import error as _error
from ._http import json_bytes as _json
from ._http import mask_cpr as _mask_cpr
from ._rehearsal import UNDISTURBED, Disruption, Rehearsal, Rehearser, reset
from ._replay import Replay

__all__ = ["Simulator", "throwaway_simulator"]

logger = logging.getLogger("kpb_sim")

# OpenSSL's X509_V_FLAG_NO_CHECK_TIME: an expired client certificate still completes the
# handshake, so that the service itself can answer "Certificate not verified".
_NO_CHECK_TIME = 0x200000
_HANDSHAKE_TIMEOUT = 10.0
_IDLE_TIMEOUT = 60.0
_MAX_DISCARDED_BODY = 1 << 20
# Bytes of a request line, and of all header lines together; beyond them the request
# is answered 414 or 431 without being read further, so that memory stays bounded.
_MAX_REQUEST_LINE = 1 << 16
_MAX_HEADERS = 1 << 16

_ROUTES = {
    "/api/test": "test",
    "/api/medicalcertificate": "MedicalCertificate",
    "/api/application": "Application",
}
_RESPONSE_MEMBER = {"MedicalCertificate": "MedicalCertificates", "Application": "Applications"}
_CPR = re.compile(r"[0-9]{10}")


_HELLO = _Response(200, _json(["Hello", "World"]))
_HTTPS_REQUIRED = _error(403, "HTTPS Required")
_CPR_MISSING = _error(400, 'Parameter "cpr" mangler.')
_CPR_INVALID = _error(400, 'Parameter "cpr" er ugyldig.')
_INTERNAL_ERROR = _error(500, "An error has occurred.")


@dataclass(frozen=True)
class _Peer:
    """The client certificate presented on a connection."""

    thumbprint: str
    not_before: dt.datetime
    not_after: dt.datetime

    @classmethod
    def from_der(cls, der: bytes) -> _Peer:
        cert = x509.load_der_x509_certificate(der)
        return cls(thumbprint(der), cert.not_valid_before_utc, cert.not_valid_after_utc)


@dataclass(frozen=True)
class _Request:
    method: str
    target: str
    host: str
    scheme: str
    peer: _Peer | None


class _Service:
    """What KPB answers, independent of sockets (PDF §3.2, §3.3)."""

    def __init__(
        self,
        persons_path: Path | str | None,
        registry: Mapping[str, tuple[str, ...]],
        drift: DriftMode | None,
        replay: Replay | None = None,
    ) -> None:
        self.registry = registry
        self.drift = drift
        self.replay = replay
        self.bodies: dict[tuple[str, str], bytes] = {}
        for person in load_persons(persons_path).values():
            for service, records in (
                ("MedicalCertificate", person.medical_certificates),
                ("Application", person.applications),
            ):
                if drift is not None:
                    records = drift.apply(service, records)
                self.bodies[service, person.cpr] = _json({_RESPONSE_MEMBER[service]: records})
        self.empty = {service: _json({member: []}) for service, member in _RESPONSE_MEMBER.items()}

    def _drifts(self, name: str) -> bool:
        return self.drift is not None and self.drift.name == name

    def respond(self, request: _Request) -> _Response:
        response = self._respond(request)
        if response.status >= 400 and self._drifts("html-errors"):
            response = _html_error(response)
        if self._drifts("text-json") and response.content_type == JSON_CONTENT_TYPE:
            response = dataclasses.replace(response, content_type="text/json; charset=utf-8")
        if self.replay is not None:
            # The simulator's own answer decides whether a recorded one may be served.
            return self.replay.answer(request.method, request.target, response)
        return response

    def _respond(self, request: _Request) -> _Response:
        if request.scheme == "http" and not self._drifts("plain-http-served"):
            return _HTTPS_REQUIRED
        path, _, query = request.target.partition("?")
        route = _ROUTES.get(route_path(path))
        if route is None:
            uri = request.target
            if not uri.startswith(("http://", "https://")):
                uri = f"{request.scheme}://{request.host}{uri}"
            message = f"No HTTP resource was found that matches the request URI '{uri}'."
            if self._drifts("message-detail"):
                controller = unquote(path).rstrip("/").rsplit("/", 1)[-1]
                detail = f"No type was found that matches the controller named '{controller}'."
                return _Response(404, _json({"Message": message, "MessageDetail": detail}))
            return _error(404, message)
        if request.method != "GET":
            return _error(
                405,
                f"The requested resource does not support http method '{request.method}'.",
                ("Allow", "GET"),
            )
        if route == "test":
            return _HELLO
        if not self._drifts("no-cert-required"):
            refusal = self._certificate_refusal(request.peer, route)
            if refusal is not None:
                return _error(401, refusal)
        values = [v for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() == "cpr"]
        if not values or values == [""]:
            return _CPR_MISSING
        if len(values) > 1 and self._drifts("first-cpr-wins"):
            values = values[:1]  # ASP.NET Web API 2 binds a simple parameter to the first
        if len(values) > 1 or not _CPR.fullmatch(values[0]):
            return _INTERNAL_ERROR if self._drifts("500-on-malformed-cpr") else _CPR_INVALID
        body = self.bodies.get((route, values[0]), self.empty[route])
        return _Response(200, body)

    def _certificate_refusal(self, peer: _Peer | None, service: str) -> str | None:
        if peer is None:
            return "Certificate required"
        now = dt.datetime.now(dt.UTC)
        if not peer.not_before <= now <= peer.not_after:
            return "Certificate not verified"
        services = self.registry.get(peer.thumbprint)
        if services is None:
            return "Certificate doesn't exist"
        if service not in services:
            return "Access not allowed for Certificate"
        return None


def _html_error(response: _Response) -> _Response:
    status = HTTPStatus(response.status)
    message = json.loads(response.body)["Message"]
    page = (
        "<!DOCTYPE html>\r\n<html><head><title>"
        f"{status.value} {status.phrase}</title></head>\r\n<body><h1>Server Error</h1>"
        f"<h2>{status.value} - {status.phrase}.</h2><p>{html.escape(message)}</p></body></html>\r\n"
    )
    return _Response(
        response.status, page.encode("utf-8"), "text/html; charset=utf-8", response.headers
    )


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a recorded status Python does not know, such as 520
        return "Unknown"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer malformed request lines with a status line, not in HTTP/0.9 style.
    default_request_version = "HTTP/1.1"
    # Headers and body go out in one write; without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK would add about 40 ms to each request on a kept-alive
    # connection.
    disable_nagle_algorithm = True
    timeout = _IDLE_TIMEOUT
    server: _Server

    def setup(self) -> None:
        super().setup()
        der = None
        if isinstance(self.connection, ssl.SSLSocket):
            der = self.connection.getpeercert(binary_form=True)
        self.peer = _Peer.from_der(der) if der else None

    def handle_one_request(self) -> None:
        self.command, self.path = "", ""  # for the log, until the request line is read
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
            if len(self.raw_requestline) > _MAX_REQUEST_LINE:
                self._refuse(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            head = self._read_headers()
        except TimeoutError:
            self.close_connection = True
            return
        if head is None:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return
        # http.server parses the request line and the headers it reads from rfile.
        connection, self.rfile = self.rfile, io.BytesIO(head)
        try:
            parsed = self.parse_request()
        finally:
            self.rfile = connection
        if not parsed:
            return
        self._discard_body()
        request = _Request(
            method=self.command,
            target=self.path,
            host=self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2]),
            scheme=self.server.scheme,
            peer=self.peer,
        )
        disruption = self.server.disruption()
        if disruption.reset:
            logger.info("%s %s: connection reset", self.client_address[0], _mask_cpr(self.path))
            self.close_connection = True
            reset(self.connection)
            return
        try:
            response = disruption.answer
            if response is None:
                response = self.server.service.respond(request)
        except Exception:
            # Whatever goes wrong answers like ASP.NET and leaves the server running.
            logger.exception("error answering %s %s", self.command, _mask_cpr(self.path))
            response = _INTERNAL_ERROR
        self._send(response, head_only=self.command == "HEAD", disruption=disruption)

    def _read_headers(self) -> bytes | None:
        """The header lines up to and with the empty line; None beyond _MAX_HEADERS."""
        lines = []
        size = 0
        while True:
            line = self.rfile.readline(_MAX_HEADERS - size + 1)
            size += len(line)
            if size > _MAX_HEADERS:
                return None
            lines.append(line)
            if line in (b"\r\n", b"\n", b""):
                return b"".join(lines)

    def _refuse(self, status: HTTPStatus) -> None:
        """Answer a request too large to read, as http.sys does, and close."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"
        page = (
            f"<!DOCTYPE html>\r\n<html><head><title>{status.phrase}</title></head>\r\n"
            f"<body><h2>{status.phrase}</h2><p>HTTP Error {status.value}.</p></body></html>\r\n"
        )
        self._send(
            _Response(status.value, page.encode("ascii"), "text/html; charset=us-ascii"),
            head_only=False,
        )

    def _discard_body(self) -> None:
        # Read a request body nobody asked for, so that the connection stays usable.
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if 0 < length <= _MAX_DISCARDED_BODY:
            self.rfile.read(length)
        elif length != 0:
            self.close_connection = True

    def _send(
        self, response: _Response, *, head_only: bool, disruption: Disruption = UNDISTURBED
    ) -> None:
        reason = response.reason or _reason(response.status)
        lines = [
            f"HTTP/1.1 {response.status} {reason}",
            *([f"Content-Type: {response.content_type}"] if response.content_type else []),
            f"Content-Length: {len(response.body)}",
            *(f"{name}: {value}" for name, value in response.headers),
        ]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # Logged before sending, so that the entry exists once the client has its answer.
        logger.info(
            '%s "%s %s" %d %d',
            self.client_address[0],
            self.command,
            _mask_cpr(self.path),
            response.status,
            len(response.body),
        )
        disruption.send(self.wfile.write, head, b"" if head_only else response.body)

    def log_message(self, format: str, *args: Any) -> None:
        # Only http.server's own errors (malformed request lines) arrive here.
        logger.info("%s %s", self.client_address[0], _mask_cpr(format % args))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default of 5 overflows when many clients connect at once; the
    # kernel caps this at its own maximum (net.core.somaxconn on Linux).
    request_queue_size = socket.SOMAXCONN
    #: Set by Simulator.start when latency, failures or outages are rehearsed.
    rehearser: Rehearser | None = None

    def __init__(
        self,
        address: tuple[str, int],
        service: _Service,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.service = service
        self.ssl_context = ssl_context
        self.scheme = "https" if ssl_context else "http"
        self._connections: set[socket.socket] = set()
        self._idle = threading.Condition()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        if self.rehearser is not None and self.rehearser.refusing():
            reset(request)
            request.close()
            return False
        return True

    def disruption(self) -> Disruption:
        return UNDISTURBED if self.rehearser is None else self.rehearser.disruption()

    def finish_request(self, request: Any, client_address: Any) -> None:
        connection: socket.socket = request
        self._track(connection)
        try:
            if self.ssl_context is not None:
                connection.settimeout(_HANDSHAKE_TIMEOUT)
                try:
                    tls = self.ssl_context.wrap_socket(connection, server_side=True)
                except (OSError, ValueError) as exc:
                    logger.debug("TLS handshake with %s failed: %s", client_address[0], exc)
                    return
                self._untrack(connection)
                connection = tls
                self._track(connection)
            try:
                _Handler(connection, client_address, self)
            except OSError as exc:
                logger.debug("connection from %s ended: %s", client_address[0], exc)
            except Exception:
                logger.exception("unexpected error on a connection from %s", client_address[0])
        finally:
            self._untrack(connection)
            connection.close()

    def _track(self, connection: socket.socket) -> None:
        with self._idle:
            self._connections.add(connection)

    def _untrack(self, connection: socket.socket) -> None:
        with self._idle:
            self._connections.discard(connection)
            self._idle.notify_all()

    def close_connections(self, timeout: float) -> None:
        """End every open connection and wait (up to ``timeout``) for its thread."""
        with self._idle:
            for connection in self._connections:
                # The plain socket's shutdown, also for TLS: it wakes a thread blocked in
                # a read without touching the TLS object that thread is using.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(connection, socket.SHUT_RDWR)
            self._idle.wait_for(lambda: not self._connections, timeout)


class Simulator:
    """The KPB test environment on loopback, in background threads.

    ``Simulator(certs)`` serves HTTPS on ``port`` (0: a free port) and the plain-HTTP
    refusal on ``http_port``. ``drift`` names one of :data:`DRIFT_MODES`; ``data`` is a
    YAML file of persons (default: Bilag A). ``replay`` serves recorded answers (see
    :class:`Replay`), ``rehearsal`` adds latency, failures, a rate limit or outages (see
    :class:`Rehearsal`). Use it as a context manager, or call :meth:`start` and
    :meth:`stop`.
    """

    def __init__(
        self,
        certificates: CertificateSet,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        http_port: int = 0,
        drift: str | DriftMode | None = None,
        data: Path | str | None = None,
        replay: Replay | None = None,
        rehearsal: Rehearsal | None = None,
    ) -> None:
        self.certificates = certificates
        self.host = host
        self.drift = drift_mode(drift)
        self.replay = replay
        self.rehearsal = rehearsal
        self._rehearser: Rehearser | None = None
        self._requested = (port, http_port)
        self._service = _Service(data, certificates.registered_services(), self.drift, replay)
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.certificates.server_cert, self.certificates.server_key)
        context.load_verify_locations(self.certificates.ca_cert)
        context.verify_mode = ssl.CERT_OPTIONAL
        context.verify_flags |= _NO_CHECK_TIME
        return context

    def start(self) -> Self:
        if self._servers:
            raise RuntimeError("the simulator is already running")
        port, http_port = self._requested
        servers: list[_Server] = []
        try:
            servers.append(_Server((self.host, port), self._service, self._ssl_context()))
            servers.append(_Server((self.host, http_port), self._service, None))
        except BaseException:
            for server in servers:
                server.server_close()
            raise
        self._servers = servers
        self._rehearser = self.rehearsal.start() if self.rehearsal is not None else None
        for server in self._servers:
            server.rehearser = self._rehearser
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"kpb-sim-{server.scheme}-{server.server_port}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        logger.info("KPB simulator serving %s and %s", self.base_url, self.http_base_url)
        return self

    def stop(self) -> None:
        """Stop listening, end open connections, and release both ports."""
        servers, self._servers = self._servers, []
        if self._rehearser is not None:
            self._rehearser.stop()
        for server in servers:
            server.shutdown()
        for server in servers:
            server.server_close()
            server.close_connections(timeout=2.0)
        for thread in self._threads:
            thread.join()
        self._threads = []

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return bool(self._servers)

    @property
    def port(self) -> int:
        return self._server(0).server_port

    @property
    def http_port(self) -> int:
        return self._server(1).server_port

    @property
    def base_url(self) -> str:
        """``https://HOST:PORT/api``, without a trailing slash (as the spec's servers)."""
        return f"https://{self._url_host}:{self.port}/api"

    @property
    def http_base_url(self) -> str:
        return f"http://{self._url_host}:{self.http_port}/api"

    @property
    def _url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    def _server(self, index: int) -> _Server:
        if not self._servers:
            raise RuntimeError("the simulator is not running; call start() first")
        return self._servers[index]

    def __repr__(self) -> str:
        state = self.base_url if self._servers else "stopped"
        drift = f", drift={self.drift.name!r}" if self.drift else ""
        return f"<Simulator {state}{drift}>"


@contextlib.contextmanager
def throwaway_simulator(
    drift: str | DriftMode | None = None, *, prefix: str = "kpb-sim-"
) -> Iterator[tuple[CertificateSet, Simulator]]:
    """A simulator on free loopback ports with certificates that vanish afterwards.

    What a command embeds when it is given no KPB to call.
    """
    from ._certificates import create_certificates

    with (
        tempfile.TemporaryDirectory(prefix=prefix) as directory,
        _removed_on_termination(directory),
    ):
        certificates = create_certificates(Path(directory))
        with Simulator(certificates, port=0, http_port=0, drift=drift) as simulator:
            yield certificates, simulator


# Signals that end a process at once by default, running no cleanup. SIGINT raises
# KeyboardInterrupt instead, which runs it.
_TERMINATING = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def _removed_on_termination(directory: str) -> Iterator[None]:
    """Remove *directory* also when SIGTERM or SIGHUP ends the process.

    Only where the signal would end the process at once (its default action): the
    directory is removed, then the process ends by that signal as it would have. A
    handler the program installed itself is left alone, and so is an ignored signal
    (``nohup``). Signal handlers belong to the main thread; elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def remove_and_end(signum: int, frame: FrameType | None) -> None:
        shutil.rmtree(directory, ignore_errors=True)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    previous = {}
    for signum in _TERMINATING:
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, remove_and_end)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
