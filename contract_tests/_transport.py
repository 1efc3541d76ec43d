"""The suite's HTTP: ``requests`` sessions over an :class:`ssl.SSLContext` of our making.

Every request of a run, schemathesis's and the suite's own, passes one
:class:`RequestGate` (a bound on the number of requests, an optional rate limit, and the
run's :class:`Interrupt`) and is handed to the run's observers as an :class:`Exchange`
(the recording, the drift scan).

Whatever a server sends, the sessions themselves keep each request bounded, so that no
caller can forget to:

- never follow a redirect: a 3xx is the answer under test, and its Location may name
  plain HTTP, where the CPR number would travel in the clear;
- read the body as a stream and keep at most :data:`kpb_ext.MAX_RESPONSE_BYTES` of it,
  counted after decompression (a gzip bomb expands no further); the exchange says when
  an answer was cut there;
- give each request one deadline for connecting, TLS, the headers and the whole body.
  urllib3's timeouts apply to each read, so a server that sends one byte every few
  seconds would never time out: a watchdog shuts the connection down at the deadline,
  and at once when the run is interrupted;
- ask again, after the wait, when a 429 or 503 says when to come back (``Retry-After``,
  at most :data:`COME_BACK_LIMIT` seconds), at most :data:`ASKED_AGAIN_LIMIT` times: a
  blip of a busy service is not a property of the contract. Every answer is recorded,
  the ones that said "come back" included.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import requests
import urllib3
from pyrate_limiter import Duration, Limiter, Rate
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from kpb_ext import MAX_RESPONSE_BYTES, RETRY_AFTER_STATUSES, parse_retry_after

from ._identity import Identity

__all__ = [
    "ASKED_AGAIN_LIMIT",
    "COME_BACK_LIMIT",
    "REQUEST_TIMEOUT",
    "Exchange",
    "Interrupt",
    "RequestBudgetExhausted",
    "RequestGate",
    "RunInterrupted",
    "Transport",
]

#: Seconds a request may take in all: connecting, TLS, the headers and the whole body.
REQUEST_TIMEOUT: Final = 30.0
#: The longest ``Retry-After`` a run waits for, and how often it asks one request again.
COME_BACK_LIMIT: Final = 10.0
ASKED_AGAIN_LIMIT: Final = 2
#: How often the watchdog looks at the requests on their way.
_WATCH_INTERVAL: Final = 0.05
#: Seconds the watchdog waits for another request before its thread ends.
_WATCHDOG_IDLE: Final = 2.0
_CHUNK: Final = 64 * 1024


class RequestBudgetExhausted(Exception):
    """The run reached its bound on the number of requests."""


class RunInterrupted(BaseException):
    """The run was interrupted (:class:`Interrupt`): no request starts, and the one on its
    way was cut. Not an Exception, so that neither a check nor hypothesis (which would
    replay and shrink it) takes it for something the target did."""


class Interrupt:
    """Asks a run to stop, from anywhere: a signal handler may call :meth:`set`, which
    only assigns an attribute and takes no lock."""

    def __init__(self) -> None:
        #: Why the run was asked to stop, for example "stopped by SIGTERM"; None until then.
        self.reason: str | None = None

    def set(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason


@dataclass(frozen=True)
class Exchange:
    """One request and what came back: a response, or the error instead of one."""

    started: dt.datetime
    elapsed: float
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    #: Who the client was on the TLS connection, for example "no certificate".
    identity: str
    #: What curl needs to send it the same way (certificate placeholders, TLS versions).
    curl_args: tuple[str, ...] = ()
    status: int | None = None
    reason: str = ""
    response_headers: Mapping[str, str] = field(default_factory=dict)
    #: The decompressed body: all of it, or its first MAX_RESPONSE_BYTES when ``cut``.
    body: bytes = b""
    #: Why no response came, for example a refused TLS handshake.
    error: str | None = None
    #: The body went on past MAX_RESPONSE_BYTES (decompressed), and was not read further.
    cut: bool = False

    @property
    def content_type(self) -> str:
        """The answer's Content-Type header as sent; "" for none."""
        return next(
            (v for k, v in self.response_headers.items() if k.lower() == "content-type"), ""
        )


Observer = Callable[[Exchange], None]

_DURATIONS = {"second": Duration.SECOND, "minute": Duration.MINUTE, "hour": Duration.HOUR}


class RequestGate:
    """Admits each request of a run, or refuses once the run's budget is spent or the run
    was interrupted."""

    def __init__(
        self,
        max_requests: int | None,
        rate: tuple[int, str] | None,
        interrupt: Interrupt | None = None,
    ) -> None:
        self._max_requests = max_requests
        self._limiter = None if rate is None else Limiter(Rate(rate[0], _DURATIONS[rate[1]]))
        self._lock = threading.Lock()
        self.interrupt = interrupt or Interrupt()
        self.count = 0

    def admit(self) -> None:
        self._check_interrupt()
        with self._lock:
            if self._max_requests is not None and self.count >= self._max_requests:
                raise RequestBudgetExhausted(
                    f"the run reached its bound of {self._max_requests} requests "
                    "(raise it with --max-requests)"
                )
            self.count += 1
        if self._limiter is not None:
            # in short waits, so that an interrupt is not kept waiting for the rate
            while not self._limiter.try_acquire("kpb", blocking=True, timeout=0.25):
                self._check_interrupt()
            self._check_interrupt()

    def pause(self, seconds: float) -> None:
        """Wait *seconds* (a ``Retry-After``), unless the run is interrupted meanwhile."""
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0:
            self._check_interrupt()
            time.sleep(min(left, 0.1))
        self._check_interrupt()

    def _check_interrupt(self) -> None:
        if self.interrupt.reason is not None:
            raise RunInterrupted(self.interrupt.reason)


# -- the deadline -----------------------------------------------------------------------


class _Flight:
    """One request on its way: its deadline, and a second descriptor of each socket it
    uses. Shutting one down ends every read and write on that connection, TLS included,
    from any thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        #: Why the watchdog cut it; None while it was not.
        self.cut: str | None = None
        self.interrupted = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._ended = False

    def attach(self, sock: socket.socket) -> None:
        if sock.fileno() < 0:
            return
        with self._lock:
            if self._ended:
                return
            duplicate = socket.socket(fileno=os.dup(sock.fileno()))
            self._sockets.append(duplicate)
            if self.cut is not None:
                _shut(duplicate)

    def stop(self, reason: str, *, interrupted: bool) -> None:
        with self._lock:
            if self._ended or self.cut is not None:
                return
            self.cut, self.interrupted = reason, interrupted
            for duplicate in self._sockets:
                _shut(duplicate)

    def end(self) -> None:
        with self._lock:
            self._ended = True
            for duplicate in self._sockets:
                duplicate.close()
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the peer closed it already
        sock.shutdown(socket.SHUT_RDWR)


#: The request this thread is making, for the connections it opens or reuses.
_FLIGHT: contextvars.ContextVar[_Flight | None] = contextvars.ContextVar(
    "kpb_contract_flight", default=None
)


class _Watchdog:
    """Cuts each request at its deadline, and every one at once when the run is
    interrupted. Its thread starts with the first request and ends after a while
    without any."""

    def __init__(self, interrupt: Interrupt) -> None:
        self._interrupt = interrupt
        self._flights: set[_Flight] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextmanager
    def watching(self, seconds: float) -> Iterator[_Flight]:
        flight = _Flight(seconds)
        with self._lock:
            self._flights.add(flight)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="kpb contract deadlines", daemon=True
                )
                self._thread.start()
        token = _FLIGHT.set(flight)
        try:
            yield flight
        finally:
            _FLIGHT.reset(token)
            with self._lock:
                self._flights.discard(flight)
            flight.end()

    def _watch(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(_WATCH_INTERVAL)
            now = time.monotonic()
            with self._lock:
                if not self._flights:
                    if now - idle_since > _WATCHDOG_IDLE:
                        self._thread = None
                        return
                    continue
                idle_since = now
                flights = list(self._flights)
            interrupted = self._interrupt.reason
            for flight in flights:
                if interrupted is not None:
                    flight.stop(f"the run was interrupted ({interrupted})", interrupted=True)
                elif now >= flight.deadline:
                    flight.stop(
                        f"no complete answer within its deadline of {flight.seconds:g} s",
                        interrupted=False,
                    )


def _attach(sock: socket.socket | None) -> None:
    flight = _FLIGHT.get()
    if flight is not None and sock is not None:
        flight.attach(sock)


class _HTTPConnection(HTTPConnection):
    """urllib3's connection, showing the request's watchdog each socket it uses: the new
    one before TLS or a proxy tunnel starts, and a kept-alive one before it is reused."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self.sock)
        super().request(*args, **kwargs)


class _HTTPSConnection(_HTTPConnection, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


# -- sessions ----------------------------------------------------------------------------


class _Session(requests.Session):
    """Never follows a redirect, whatever a caller asks: a 3xx is the answer under test.

    ``requests`` follows redirects in this one method, for ``allow_redirects=True`` (its
    default) and to prepare ``Response.next``."""

    def resolve_redirects(
        self, resp: requests.Response, req: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> Generator[Any, None, None]:
        yield from ()


class _Adapter(HTTPAdapter):
    """Sends over our own TLS context, through the gate, within the deadline and the size
    limit, and reports every exchange."""

    def __init__(
        self,
        context: ssl.SSLContext | None,
        identity: str,
        curl_args: tuple[str, ...],
        transport: Transport,
    ) -> None:
        self._context = context
        self._identity = identity
        self._curl_args = curl_args
        self._transport = transport
        super().__init__()

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        if self._context is not None:
            pool_kwargs["ssl_context"] = self._context
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        if self._context is not None:
            proxy_kwargs["ssl_context"] = self._context
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, urllib3.ProxyManager):  # not SOCKS, which has pools of its own
            manager.pool_classes_by_scheme = _POOLS
        return manager

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # The context decides whom to trust; requests would add its own CA bundle to it.
        if url.lower().startswith("https"):
            conn.cert_reqs = "CERT_REQUIRED"

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        transport = self._transport
        for _ in range(ASKED_AGAIN_LIMIT):
            response = self._send_once(request, **kwargs)
            wait = _come_back_after(response)
            if wait is None:
                return response
            transport.note_asked_again(response.status_code)
            transport.gate.pause(wait)
        return self._send_once(request, **kwargs)

    def _send_once(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        transport = self._transport
        # Server verification is never switched off, whatever a caller passes; nor are
        # the deadline and the size limit.
        kwargs["verify"] = True
        kwargs["cert"] = None
        kwargs["stream"] = True
        kwargs["timeout"] = (transport.deadline, transport.deadline)
        transport.gate.admit()
        started = dt.datetime.now(dt.UTC)
        clock = time.perf_counter()
        body = request.body.encode() if isinstance(request.body, str) else request.body
        sent: dict[str, Any] = {
            "started": started,
            "method": request.method or "GET",
            "url": request.url or "",
            "request_headers": dict(request.headers),
            "request_body": body if isinstance(body, bytes) else None,
            "identity": self._identity,
            "curl_args": self._curl_args,
        }
        failure: requests.RequestException | None = None
        with transport.watchdog.watching(transport.deadline) as flight:
            try:
                response = super().send(request, **kwargs)
                content, cut = _read(response)
            except requests.RequestException as exc:
                failure = exc
        # A body cut by the watchdog may look complete (one that ends when the
        # connection does): what the watchdog did decides.
        error = flight.cut or (_describe(failure) if failure is not None else None)
        if error is not None:
            transport.notify(Exchange(elapsed=time.perf_counter() - clock, error=error, **sent))
            if flight.interrupted:
                raise RunInterrupted(error) from None
            if flight.cut is not None:
                raise requests.exceptions.Timeout(error, request=request) from failure
            assert failure is not None
            raise failure
        transport.notify(
            Exchange(
                elapsed=time.perf_counter() - clock,
                status=response.status_code,
                reason=response.reason or "",
                response_headers=dict(response.headers),
                body=content,
                cut=cut,
                **sent,
            )
        )
        return response


def _come_back_after(response: requests.Response) -> float | None:
    """The seconds a 429 or 503 asks the client to wait before it asks again; None when
    it is no such answer, or asks for longer than a run waits."""
    if response.status_code not in RETRY_AFTER_STATUSES:
        return None
    wait = parse_retry_after(response.headers.get("Retry-After"))
    return wait if wait is not None and wait <= COME_BACK_LIMIT else None


def _read(response: requests.Response) -> tuple[bytes, bool]:
    """The decompressed body, read as it streams: all of it, or, with True, the first
    MAX_RESPONSE_BYTES of a longer one, whose connection is then closed unread."""
    content = bytearray()
    try:
        for chunk in response.iter_content(_CHUNK):
            content += chunk
            if len(content) > MAX_RESPONSE_BYTES:
                del content[MAX_RESPONSE_BYTES:]
                response.raw.close()
                break
        else:
            return _loaded(response, bytes(content)), False
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        # what iter_content leaves unwrapped, for example a connection shut mid-read
        raise requests.exceptions.ConnectionError(exc, request=response.request) from exc
    return _loaded(response, bytes(content)), True


def _loaded(response: requests.Response, content: bytes) -> bytes:
    # What callers read as response.content: the body is not read again.
    response._content = content
    response._content_consumed = True  # type: ignore[attr-defined]
    response.close()
    return content


def _describe(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, which is the telling one."""
    reason = exc
    for _ in range(8):
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, BaseException):
            first = reason.args[0] if reason.args else None
            inner = first if isinstance(first, BaseException) else None
        inner = inner or reason.__cause__ or reason.__context__
        if inner is None:
            break
        reason = inner
    return f"{type(reason).__name__}: {reason}"


class Transport:
    """Makes the sessions of one run; they share its gate, its deadline, its watchdog and
    its observers."""

    def __init__(
        self,
        gate: RequestGate,
        *,
        proxies: Mapping[str, str] | None = None,
        deadline: float = REQUEST_TIMEOUT,
    ) -> None:
        self.gate = gate
        self.deadline = deadline
        self.watchdog = _Watchdog(gate.interrupt)
        self._proxies = dict(proxies or {})
        self._observers: list[Observer] = []
        self._lock = threading.Lock()
        #: status -> how many answers with it said when to come back, and were asked again
        self.asked_again: Counter[int] = Counter()

    def note_asked_again(self, status: int) -> None:
        with self._lock:
            self.asked_again[status] += 1

    def observe(self, observer: Observer) -> None:
        self._observers.append(observer)

    @contextmanager
    def capture(self) -> Iterator[list[Exchange]]:
        """The exchanges made while the block runs."""
        captured: list[Exchange] = []
        self._observers.append(captured.append)
        try:
            yield captured
        finally:
            self._observers.remove(captured.append)

    def notify(self, exchange: Exchange) -> None:
        with self._lock:
            for observer in self._observers:
                observer(exchange)

    def session(
        self,
        identity: Identity,
        *,
        minimum: ssl.TLSVersion | None = None,
        maximum: ssl.TLSVersion | None = None,
    ) -> requests.Session:
        """A session appearing as *identity*; plain ``http://`` URLs carry no TLS at all."""
        session = _Session()
        # Nothing from the environment (REQUESTS_CA_BUNDLE, .netrc) but the proxies given.
        session.trust_env = False
        session.proxies.update(self._proxies)
        context = identity.context(minimum=minimum, maximum=maximum)
        curl_args = identity.curl_args + _curl_tls_args(minimum, maximum)
        session.mount("https://", _Adapter(context, identity.label, curl_args, self))
        session.mount("http://", _Adapter(None, "plain HTTP", (), self))
        return session


def _curl_tls_args(
    minimum: ssl.TLSVersion | None, maximum: ssl.TLSVersion | None
) -> tuple[str, ...]:
    """``--tlsv1.2 --tls-max 1.2`` for a context limited to TLS 1.2."""
    args: tuple[str, ...] = ()
    if minimum is not None and minimum.name.startswith("TLSv"):
        args += ("--tlsv" + _dotted(minimum),)
    if maximum is not None and maximum.name.startswith("TLSv"):
        args += ("--tls-max", _dotted(maximum))
    return args


def _dotted(version: ssl.TLSVersion) -> str:
    # TLSv1 -> 1.0, TLSv1_2 -> 1.2
    return version.name.removeprefix("TLSv").replace("_", ".") if "_" in version.name else "1.0"
