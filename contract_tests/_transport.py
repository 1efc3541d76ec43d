"""The suite's HTTP: ``requests`` sessions over an :class:`ssl.SSLContext` of our making.

Every request of a run, schemathesis's and the suite's own, passes one
:class:`RequestGate` (a bound on the number of requests and an optional rate limit) and
is handed to the run's observers as an :class:`Exchange` (the recording, the drift scan).
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from pyrate_limiter import Duration, Limiter, Rate
from requests.adapters import HTTPAdapter

from ._identity import Identity

__all__ = [
    "Exchange",
    "RequestBudgetExhausted",
    "RequestGate",
    "Transport",
]


class RequestBudgetExhausted(Exception):
    """The run reached its bound on the number of requests."""


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
    body: bytes = b""
    #: Why no response came, for example a refused TLS handshake.
    error: str | None = None


Observer = Callable[[Exchange], None]

_DURATIONS = {"second": Duration.SECOND, "minute": Duration.MINUTE, "hour": Duration.HOUR}


class RequestGate:
    """Admits each request of a run, or refuses once the run's budget is spent."""

    def __init__(self, max_requests: int | None, rate: tuple[int, str] | None) -> None:
        self._max_requests = max_requests
        self._limiter = None if rate is None else Limiter(Rate(rate[0], _DURATIONS[rate[1]]))
        self._lock = threading.Lock()
        self.count = 0

    def admit(self) -> None:
        with self._lock:
            if self._max_requests is not None and self.count >= self._max_requests:
                raise RequestBudgetExhausted(
                    f"the run reached its bound of {self._max_requests} requests "
                    "(raise it with --max-requests)"
                )
            self.count += 1
        if self._limiter is not None:
            self._limiter.try_acquire("kpb", blocking=True)


class _Adapter(HTTPAdapter):
    """Sends over our own TLS context, through the gate, and reports every exchange."""

    def __init__(
        self,
        context: ssl.SSLContext | None,
        identity: str,
        curl_args: tuple[str, ...],
        gate: RequestGate,
        observe: Observer,
    ) -> None:
        self._context = context
        self._identity = identity
        self._curl_args = curl_args
        self._gate = gate
        self._observe = observe
        super().__init__()

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        if self._context is not None:
            pool_kwargs["ssl_context"] = self._context
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        if self._context is not None:
            proxy_kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # The context decides whom to trust; requests would add its own CA bundle to it.
        if url.lower().startswith("https"):
            conn.cert_reqs = "CERT_REQUIRED"

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        # Server verification is never switched off, whatever a caller passes.
        kwargs["verify"] = True
        kwargs["cert"] = None
        self._gate.admit()
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
        try:
            response = super().send(request, **kwargs)
            content = response.content  # read now: the exchange is recorded whole
        except requests.RequestException as exc:
            self._observe(
                Exchange(elapsed=time.perf_counter() - clock, error=_describe(exc), **sent)
            )
            raise
        self._observe(
            Exchange(
                elapsed=time.perf_counter() - clock,
                status=response.status_code,
                reason=response.reason or "",
                response_headers=dict(response.headers),
                body=content or b"",
                **sent,
            )
        )
        return response


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
    """Makes the sessions of one run; they share its gate and its observers."""

    def __init__(self, gate: RequestGate, *, proxies: Mapping[str, str] | None = None) -> None:
        self.gate = gate
        self._proxies = dict(proxies or {})
        self._observers: list[Observer] = []
        self._lock = threading.Lock()

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

    def _notify(self, exchange: Exchange) -> None:
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
        session = requests.Session()
        # Nothing from the environment (REQUESTS_CA_BUNDLE, .netrc) but the proxies given.
        session.trust_env = False
        session.proxies.update(self._proxies)
        context = identity.context(minimum=minimum, maximum=maximum)
        curl_args = identity.curl_args + _curl_tls_args(minimum, maximum)
        session.mount(
            "https://", _Adapter(context, identity.label, curl_args, self.gate, self._notify)
        )
        session.mount("http://", _Adapter(None, "plain HTTP", (), self.gate, self._notify))
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
