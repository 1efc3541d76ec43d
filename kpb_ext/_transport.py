"""One request and its whole answer, within a deadline and a size limit, whatever is sent.

The clients talk to an httpx transport (their own, or one given with ``transport=``),
or to a ready httpx client (``http_client=``). Either way the answer is read here, as a
stream, and:

- its body is decompressed here (gzip and deflate, the only encodings asked for) and
  counted after decompression, so that neither a large body nor a small one that
  expands (a "gzip bomb") holds more than :data:`MAX_RESPONSE_BYTES` in memory;
- one deadline covers connecting, TLS, sending and reading the headers and the whole
  body. httpx's timeouts apply to each read, so a server that sends one byte every few
  seconds would never time out. The synchronous client's own transport
  (:class:`DeadlineTransport`) gives every socket operation no more time than is left
  before the deadline; with any other transport the deadline is checked between the
  reads, each of which is limited to the time left when the request started. The
  asynchronous client cancels the whole exchange at the deadline.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
import typing
import urllib.request
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

import attrs
import httpcore
import httpx

__all__ = [
    "MAX_RESPONSE_BYTES",
    "Answer",
    "BodyTooLarge",
    "DeadlineTransport",
    "UnsupportedEncoding",
    "environment_proxy",
    "read_body",
]

#: The most a response body may hold, decompressed: 4 MiB. KPB's answers are a few
#: kilobytes (2.6 KB for Elev 1's three applications); a person with a hundred
#: applications would still be far below this.
MAX_RESPONSE_BYTES: Final = 4 * 1024 * 1024

#: The deadline (time.monotonic()) of the request being made in this thread or task.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "kpb_deadline", default=None
)


@attrs.frozen
class Answer:
    """A response read in full: what the parsers and error mapping look at."""

    status_code: int
    reason_phrase: str
    headers: httpx.Headers
    content: bytes


class BodyTooLarge(Exception):
    """The body went past the limit; ``start`` holds its first bytes."""

    def __init__(self, start: bytes) -> None:
        super().__init__("body too large")
        self.start = start


class UnsupportedEncoding(Exception):
    """The body came in a Content-Encoding that was not asked for."""


# -- reading the body --------------------------------------------------------------------


class _Decoder:
    """Bounded decompression: never produces more than ``room + 1`` bytes per call."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: typing.Any = None
        self._first = True
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()  # zlib-wrapped; raw deflate below
        elif encoding not in ("", "identity"):
            raise UnsupportedEncoding(encoding)

    def decode(self, data: bytes, room: int) -> Iterator[bytes]:
        if self._zlib is None:
            yield data
            return
        first, self._first = self._first, False
        try:
            piece = self._zlib.decompress(data, room + 1)
        except zlib.error:
            if not (first and self.encoding == "deflate"):
                raise
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # some servers send raw deflate
            piece = self._zlib.decompress(data, room + 1)
        while True:
            yield piece
            room -= len(piece)
            if room < 0 or not self._zlib.unconsumed_tail:
                return
            piece = self._zlib.decompress(self._zlib.unconsumed_tail, room + 1)


def _encoding(headers: httpx.Headers) -> str:
    values = [v.strip().lower() for v in headers.get("content-encoding", "").split(",")]
    values = [v for v in values if v and v != "identity"]
    if len(values) > 1:
        raise UnsupportedEncoding(", ".join(values))
    return values[0] if values else ""


def read_body(
    response: httpx.Response, *, deadline: float, limit: int = MAX_RESPONSE_BYTES
) -> bytes:
    """The decoded body of *response*, read from its stream; raises BodyTooLarge past
    *limit* decoded bytes, UnsupportedEncoding, or httpx.ReadTimeout past *deadline*."""
    decoder = _Decoder(_encoding(response.headers))
    declared = response.headers.get("content-length", "")
    if not decoder.encoding and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(b"")
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        for piece in decoder.decode(chunk, limit - size):
            parts.append(piece)
            size += len(piece)
            if size > limit:
                raise BodyTooLarge(b"".join(parts)[:4096])
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the deadline passed while reading the body")
    return b"".join(parts)


async def aread_body(
    response: httpx.Response, *, deadline: float, limit: int = MAX_RESPONSE_BYTES
) -> bytes:
    """:func:`read_body` for an async response (the caller enforces the deadline)."""
    decoder = _Decoder(_encoding(response.headers))
    declared = response.headers.get("content-length", "")
    if not decoder.encoding and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(b"")
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        for piece in decoder.decode(chunk, limit - size):
            parts.append(piece)
            size += len(piece)
            if size > limit:
                raise BodyTooLarge(b"".join(parts)[:4096])
    return b"".join(parts)


def phase_timeouts(timeout: httpx.Timeout, deadline: float) -> dict[str, float | None]:
    """httpx's per-phase timeouts, none longer than the time left before *deadline*."""
    left = max(deadline - time.monotonic(), 0.001)

    def cap(value: float | None) -> float:
        return left if value is None else min(value, left)

    return {
        "connect": cap(timeout.connect),
        "read": cap(timeout.read),
        "write": cap(timeout.write),
        "pool": cap(timeout.pool),
    }


# -- the synchronous transport with a deadline on every socket operation ------------------


def _time_left(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# httpcore's exceptions as httpx's, most specific first.
_ERRORS: Final[tuple[tuple[type[Exception], type[httpx.TransportError]], ...]] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _Stream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class DeadlineTransport(httpx.BaseTransport):
    """An httpx transport over httpcore's pool whose every socket operation, connect and
    TLS included, ends by the deadline of the request being made (:data:`DEADLINE`)."""

    def __init__(
        self, ssl_context: typing.Any, limits: httpx.Limits, proxy: httpx.Proxy | None = None
    ) -> None:
        options: dict[str, typing.Any] = {
            "ssl_context": ssl_context,
            "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry,
            "network_backend": _DeadlineBackend(),
        }
        self._pool: httpcore.ConnectionPool
        if proxy is None:
            self._pool = httpcore.ConnectionPool(**options)
        else:
            self._pool = httpcore.HTTPProxy(
                proxy_url=_core_url(proxy.url),
                proxy_auth=proxy.raw_auth,
                proxy_headers=proxy.headers.raw,
                proxy_ssl_context=proxy.ssl_context,
                **options,
            )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=_core_url(request.url),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Stream(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def _core_url(url: httpx.URL) -> httpcore.URL:
    return httpcore.URL(
        scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
    )


def environment_proxy(url: str) -> httpx.Proxy | None:
    """The proxy that HTTPS_PROXY (or ALL_PROXY) names for *url*, unless NO_PROXY
    exempts its host; as httpx itself does when it trusts the environment."""
    proxies: Mapping[str, str] = urllib.request.getproxies()
    parsed = httpx.URL(url)
    address = proxies.get(parsed.scheme) or proxies.get("all")
    if not address or urllib.request.proxy_bypass(parsed.host):
        return None
    return httpx.Proxy(address if "://" in address else f"http://{address}")
