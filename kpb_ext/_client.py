"""The KPB clients: :class:`KpbClient` (sync) and :class:`AsyncKpbClient`.

Each holds one pooled httpx transport, so connections are kept alive and the TLS
handshake (with the client certificate) is done once per connection rather than once
per call. The TLS context comes from :func:`create_ssl_context`: system trust store plus
an optional CA bundle, TLS 1.2 or newer, verification always on. A transport of one's
own (``transport=``), or a ready httpx client (``http_client=``), can be given instead,
as with httpx.

Requests are those of the generated client's ``build_request`` (method, path, query),
sent as one absolute URL. Every answer is read as a stream within one deadline and a
size limit (``_transport``), and ends in the generated model or in one of the errors of
``_exceptions``; CPR numbers given as text are parsed (and rejected) before anything is
sent. Creating a client installs the CPR filter on the httpx, httpcore and kpb_ext
loggers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import ssl
import time
from collections.abc import AsyncIterator, Callable, Container, Iterable, Iterator
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeVar

import httpx

from kpb_client.api.application import get_applications
from kpb_client.api.medical_certificate import get_medical_certificates
from kpb_client.api.test import get_test
from kpb_client.models import (
    Application,
    ApplicationsResponse,
    MedicalCertificate,
    MedicalCertificatesResponse,
)
from kpb_client.types import ApiRequest

from ._batch import (
    AsyncServices,
    BatchInput,
    LookupResult,
    ProgressCallback,
    Services,
    What,
    lookup_many_async,
    lookup_many_sync,
)
from ._certificates import ClientCertificate, create_ssl_context
from ._cpr import Cpr
from ._exceptions import (
    InvalidResponseError,
    KpbTimeoutError,
    ResponseTooLargeError,
    TransportError,
)
from ._facts import ENVIRONMENTS
from ._pools import SpreadTransport
from ._rate import PACER, Pacer, batch_rate
from ._redact import install_log_redaction
from ._responses import excerpt, read_model, read_string_list, response_error, transport_error
from ._retry import RetryPolicy
from ._transport import (
    DEADLINE,
    MAX_RESPONSE_BYTES,
    Answer,
    BodyTooLarge,
    DeadlineTransport,
    UnsupportedEncoding,
    aread_body,
    environment_proxy,
    phase_timeouts,
    read_body,
)
from ._urls import validate_base_url

__all__ = ["DEFAULT_TIMEOUT", "MAX_RESPONSE_BYTES", "AsyncKpbClient", "KpbClient"]

T = TypeVar("T")

#: Seconds one request may take in all: connecting, TLS, sending, and reading the answer.
DEFAULT_TIMEOUT: Final = 30.0

_USER_AGENT: Final = "kpb (+https://github.com/kpb-dk/kpb)"
# As many kept-alive connections as open ones. httpcore 1.0 compares its keep-alive
# limit with the number of all connections, idle or not, so with httpx's default of 20
# a batch at concurrency above 20 closed every connection after one request and paid a
# TLS handshake per lookup.
_POOL_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)
# Only what _transport decodes itself, under the size limit.
_HEADERS: Final = httpx.Headers(
    {"Accept": "application/json", "Accept-Encoding": "gzip, deflate", "User-Agent": _USER_AGENT}
)
Environment = Literal["test", "production"]
Reader = Callable[[Answer], T]
# The line httpx.Client logs for every request, logged as it does, since the client
# sends through the transport: callers read it at -v (the CPR filter masks the URL).
_HTTPX_LOG: Final = logging.getLogger("httpx")


def _log(request: httpx.Request, response: httpx.Response) -> None:
    if _HTTPX_LOG.isEnabledFor(logging.INFO):
        _HTTPX_LOG.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


def _medical_certificates(answer: Answer) -> MedicalCertificatesResponse:
    return read_model(answer, MedicalCertificatesResponse)


def _applications(answer: Answer) -> ApplicationsResponse:
    return read_model(answer, ApplicationsResponse)


class _ClientBase:
    """Configuration shared by the sync and the async client (see :class:`KpbClient`)."""

    base_url: str
    certificate: ClientCertificate | None
    retry: RetryPolicy
    timeout: httpx.Timeout

    def __init__(
        self,
        *,
        environment: Environment | None = None,
        base_url: str | None = None,
        certificate: ClientCertificate | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        http_client: httpx.Client | httpx.AsyncClient | None = None,
    ) -> None:
        install_log_redaction()
        self.base_url = _base_url(environment, base_url)
        self.certificate = certificate
        self.retry = retry if retry is not None else RetryPolicy()
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._seconds = _deadline_seconds(self.timeout)
        if transport is not None and http_client is not None:
            raise ValueError("give transport or http_client, not both")
        if (transport is not None or http_client is not None) and (
            certificate is not None or ca_bundle is not None
        ):
            raise ValueError(
                "with transport or http_client, configure TLS there (for example with "
                "create_ssl_context(certificate, ca_bundle=...)), not here"
            )
        self._ca_bundle = ca_bundle

    def _ssl_context(self) -> ssl.SSLContext:
        return create_ssl_context(self.certificate, ca_bundle=self._ca_bundle)

    def _deadline(self, budget_end: float) -> float:
        return min(time.monotonic() + self._seconds, budget_end)

    def _request(
        self, operation: ApiRequest, deadline: float, trace: dict[str, Any] | None = None
    ) -> httpx.Request:
        # One absolute URL string: httpx parses it once, rather than joining a route and
        # params to its base URL with several parses and copies per request.
        return httpx.Request(
            operation.method.upper(),
            self.base_url + operation.target,
            headers=_HEADERS,
            extensions={"timeout": phase_timeouts(self.timeout, deadline), **(trace or {})},
        )

    def _failed(self, exc: httpx.TransportError | TimeoutError) -> TransportError:
        """Our error for a request that got no complete answer."""
        if isinstance(exc, TimeoutError):  # the async client's deadline
            return KpbTimeoutError(f"no complete answer within the deadline of {self._seconds:g} s")
        error = transport_error(exc)
        if isinstance(error, KpbTimeoutError):
            return KpbTimeoutError(f"{error} (the request's deadline: {self._seconds:g} s)")
        return error

    def __repr__(self) -> str:
        who = self.certificate.thumbprint_sha1 if self.certificate else "none"
        return f"<{type(self).__name__} base_url={self.base_url!r} certificate={who}>"


class KpbClient(_ClientBase):
    """Synchronous KPB client. Use it as a context manager, or call :meth:`close`.

    Keyword arguments:

    ``environment``
        ``"test"`` or ``"production"``: KPB's own base URLs (PDF §1.1). Give this or
        ``base_url``.
    ``base_url``
        Another base URL, including ``/api`` (the simulator, a proxy of your own).
    ``certificate``
        The :class:`ClientCertificate` presented over mutual TLS; not needed for
        :meth:`ping`.
    ``ca_bundle``
        A PEM file of CA certificates to trust besides the system's.
    ``timeout``
        Seconds one request may take in all (default 30): connecting, TLS, sending, and
        reading the headers and the whole body. An ``httpx.Timeout`` sets the phases
        apart, and the longest of them is then the deadline.
    ``retry``
        A :class:`RetryPolicy`; ``RetryPolicy.none()`` switches retries off. Its
        ``total`` is the budget of a whole call, retries included.
    ``transport``
        An httpx transport to send through (``httpx.HTTPTransport``, a mock...), instead
        of the client's own; configure TLS on it rather than with ``certificate`` and
        ``ca_bundle``. It is closed with the client, as httpx does.
    ``http_client``
        A ready ``httpx.Client`` to send through, with its own TLS, proxies and hooks.
        It is not closed with the client.

    Whatever the transport, a body larger than :data:`MAX_RESPONSE_BYTES` once
    decompressed raises :class:`ResponseTooLargeError` without being held in memory.
    """

    _transport: httpx.BaseTransport | None
    _http_client: httpx.Client | None

    def __init__(
        self,
        *,
        environment: Environment | None = None,
        base_url: str | None = None,
        certificate: ClientCertificate | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            environment=environment,
            base_url=base_url,
            certificate=certificate,
            ca_bundle=ca_bundle,
            timeout=timeout,
            retry=retry,
            transport=transport,
            http_client=http_client,
        )
        self._http_client = http_client
        if http_client is None and transport is None:
            proxy = environment_proxy(self.base_url)
            transport = DeadlineTransport(self._ssl_context(), _POOL_LIMITS, proxy)
        self._transport = transport

    def ping(self) -> list[str]:
        """``GET /test``: ``["Hello", "World"]`` when KPB is reachable (PDF §3.1.2)."""
        return self._call(get_test.build_request(), read_string_list)

    def medical_certificates(self, cpr: Cpr | str) -> list[MedicalCertificate]:
        """The person's medical certificates (PDF §3.2.1); empty when there are none
        (also when KPB sends ``null`` for the list, D22)."""
        return self.medical_certificates_answer(cpr).medical_certificates or []

    def applications(self, cpr: Cpr | str) -> list[Application]:
        """The person's driving-test applications (PDF §3.2.2); empty when there are none
        (also when KPB sends ``null`` for the list, D22)."""
        return self.applications_answer(cpr).applications or []

    def medical_certificates_answer(self, cpr: Cpr | str) -> MedicalCertificatesResponse:
        """The whole answer of ``/MedicalCertificate``, as KPB sent it: its ``to_dict()``
        writes back a ``null`` list and any member the spec does not name."""
        request = get_medical_certificates.build_request(cpr=Cpr.parse(cpr).digits)
        return self._call(request, _medical_certificates)

    def applications_answer(self, cpr: Cpr | str) -> ApplicationsResponse:
        """The whole answer of ``/Application``; see :meth:`medical_certificates_answer`."""
        request = get_applications.build_request(cpr=Cpr.parse(cpr).digits)
        return self._call(request, _applications)

    def lookup_many(
        self,
        cprs: Iterable[BatchInput],
        *,
        what: What = "applications",
        progress: ProgressCallback | None = None,
        skip: Container[int] = (),
        stop_after_unanswered: int | None = None,
        rate: str | None = "auto",
    ) -> Iterator[LookupResult]:
        """Look up many CPR numbers one after the other; see :meth:`AsyncKpbClient.lookup_many`."""
        return lookup_many_sync(
            Services(self.medical_certificates_answer, self.applications_answer),
            cprs,
            what=what,
            progress=progress,
            skip=skip,
            stop_after_unanswered=stop_after_unanswered,
            pacer=Pacer(batch_rate(rate, self.base_url)),
        )

    def _call(self, operation: ApiRequest, read: Reader[T]) -> T:
        pacer = PACER.get()
        trace = pacer.trace() if pacer is not None else None
        return self.retry.call(
            lambda budget_end: self._send(operation, read, self._deadline(budget_end), trace),
            pacer,
        )

    def _send(
        self,
        operation: ApiRequest,
        read: Reader[T],
        deadline: float,
        trace: dict[str, Any] | None = None,
    ) -> T:
        token = DEADLINE.set(deadline)
        try:
            answer = self._exchange(self._request(operation, deadline, trace), deadline)
        except httpx.TransportError as exc:
            raise self._failed(exc) from None
        finally:
            DEADLINE.reset(token)
        if answer.status_code == 200:
            return read(answer)
        raise response_error(answer)

    def _exchange(self, request: httpx.Request, deadline: float) -> Answer:
        if self._http_client is not None:
            request = self._http_client.build_request(
                request.method, request.url, headers=request.headers, extensions=request.extensions
            )
            response = self._http_client.send(request, stream=True)
        else:
            assert self._transport is not None
            response = self._transport.handle_request(request)
            _log(request, response)
        try:
            body = read_body(response, deadline=deadline)
        except (BodyTooLarge, UnsupportedEncoding) as problem:
            raise _body_error(response, problem) from None
        finally:
            response.close()
        return Answer(response.status_code, response.reason_phrase, response.headers, body)

    def close(self) -> None:
        """Close the pooled connections (and a transport given, not an http_client)."""
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncKpbClient(_ClientBase):
    """Asynchronous KPB client (asyncio), with the keyword arguments of :class:`KpbClient`;
    ``transport`` is an ``httpx.AsyncBaseTransport`` and ``http_client`` an
    ``httpx.AsyncClient``. The deadline cancels the whole exchange whatever the
    transport.

    Use it as an async context manager, or call :meth:`aclose`.
    """

    _transport: httpx.AsyncBaseTransport | None
    _http_client: httpx.AsyncClient | None

    def __init__(
        self,
        *,
        environment: Environment | None = None,
        base_url: str | None = None,
        certificate: ClientCertificate | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            environment=environment,
            base_url=base_url,
            certificate=certificate,
            ca_bundle=ca_bundle,
            timeout=timeout,
            retry=retry,
            transport=transport,
            http_client=http_client,
        )
        self._http_client = http_client
        if http_client is None and transport is None:
            # Small pools side by side: one pool of many connections costs the event loop
            # more than the network at a batch's concurrency (see _pools).
            transport = SpreadTransport(
                verify=self._ssl_context(),
                limits=_POOL_LIMITS,
                proxy=environment_proxy(self.base_url),
            )
        self._transport = transport

    async def ping(self) -> list[str]:
        """``GET /test``: ``["Hello", "World"]`` when KPB is reachable (PDF §3.1.2)."""
        return await self._call(get_test.build_request(), read_string_list)

    async def medical_certificates(self, cpr: Cpr | str) -> list[MedicalCertificate]:
        """The person's medical certificates (PDF §3.2.1); empty when there are none
        (also when KPB sends ``null`` for the list, D22)."""
        return (await self.medical_certificates_answer(cpr)).medical_certificates or []

    async def applications(self, cpr: Cpr | str) -> list[Application]:
        """The person's driving-test applications (PDF §3.2.2); empty when there are none
        (also when KPB sends ``null`` for the list, D22)."""
        return (await self.applications_answer(cpr)).applications or []

    async def medical_certificates_answer(self, cpr: Cpr | str) -> MedicalCertificatesResponse:
        """The whole answer of ``/MedicalCertificate``, as KPB sent it: its ``to_dict()``
        writes back a ``null`` list and any member the spec does not name."""
        request = get_medical_certificates.build_request(cpr=Cpr.parse(cpr).digits)
        return await self._call(request, _medical_certificates)

    async def applications_answer(self, cpr: Cpr | str) -> ApplicationsResponse:
        """The whole answer of ``/Application``; see :meth:`medical_certificates_answer`."""
        request = get_applications.build_request(cpr=Cpr.parse(cpr).digits)
        return await self._call(request, _applications)

    def lookup_many(
        self,
        cprs: Iterable[BatchInput],
        *,
        what: What = "applications",
        concurrency: int = 8,
        progress: ProgressCallback | None = None,
        skip: Container[int] = (),
        stop_after_unanswered: int | None = None,
        rate: str | None = "auto",
    ) -> AsyncIterator[LookupResult]:
        """Look up many CPR numbers, at most *concurrency* at a time.

        Yields one :class:`LookupResult` per distinct number as soon as it is done (not
        in input order; ``result.index`` is the input position, or the index of an item
        given as a pair ``(index, number)``, such as a line number). An invalid number or
        a failed lookup becomes a result holding the typed error; the batch goes on.
        *what* is ``"applications"``, ``"medical_certificates"`` or ``"both"``.
        *progress*, if given, is called as ``progress(done, total)`` after each result;
        ``total`` is None until the input has been read to its end, unless it has a
        length. Numbers at an index in *skip* are not looked up (done by an earlier
        run), and their repeats neither. With *stop_after_unanswered*, the batch stops
        with :class:`KpbUnavailableError` once that many numbers in a row got no answer
        from KPB (a network failure, or 429/502/503/504 after retries); the lookups in
        flight are cancelled.

        *rate* caps the batch's requests, retries included (both services of a number
        are two): ``"20/s"``, ``"600/m"`` or ``"1000/h"``, evenly spaced; ``None`` for
        no limit; ``"auto"`` for :data:`DEFAULT_RATE` unless the base URL is on
        loopback. A 429 or 503 with ``Retry-After`` holds every lookup of the batch
        until then, not only the one that got it.
        """
        return lookup_many_async(
            AsyncServices(self.medical_certificates_answer, self.applications_answer),
            cprs,
            what=what,
            concurrency=concurrency,
            progress=progress,
            skip=skip,
            stop_after_unanswered=stop_after_unanswered,
            pacer=Pacer(batch_rate(rate, self.base_url)),
        )

    async def _call(self, operation: ApiRequest, read: Reader[T]) -> T:
        pacer = PACER.get()
        trace = pacer.trace_async() if pacer is not None else None
        return await self.retry.call_async(
            lambda budget_end: self._send(operation, read, self._deadline(budget_end), trace),
            pacer,
        )

    async def _send(
        self,
        operation: ApiRequest,
        read: Reader[T],
        deadline: float,
        trace: dict[str, Any] | None = None,
    ) -> T:
        request = self._request(operation, deadline, trace)
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0)):
                answer = await self._exchange(request, deadline)
        except (TimeoutError, httpx.TransportError) as exc:
            raise self._failed(exc) from None
        if answer.status_code == 200:
            return read(answer)
        raise response_error(answer)

    async def _exchange(self, request: httpx.Request, deadline: float) -> Answer:
        if self._http_client is not None:
            request = self._http_client.build_request(
                request.method, request.url, headers=request.headers, extensions=request.extensions
            )
            response = await self._http_client.send(request, stream=True)
        else:
            assert self._transport is not None
            response = await self._transport.handle_async_request(request)
            _log(request, response)
        try:
            body = await aread_body(response, deadline=deadline)
        except (BodyTooLarge, UnsupportedEncoding) as problem:
            raise _body_error(response, problem) from None
        finally:
            await response.aclose()
        return Answer(response.status_code, response.reason_phrase, response.headers, body)

    async def aclose(self) -> None:
        """Close the pooled connections (and a transport given, not an http_client)."""
        if self._transport is not None:
            await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


def _body_error(response: httpx.Response, problem: Exception) -> InvalidResponseError:
    status = response.status_code
    if isinstance(problem, BodyTooLarge):
        return ResponseTooLargeError(
            f"KPB answered {status} with a body of more than {MAX_RESPONSE_BYTES:,} bytes "
            "(decompressed); it was not read further",
            limit=MAX_RESPONSE_BYTES,
            status_code=status,
            excerpt=excerpt(problem.start),
            headers=response.headers,
        )
    return InvalidResponseError(
        f"KPB answered {status} in the Content-Encoding {problem}, which was not asked for",
        status_code=status,
        excerpt="",
        headers=response.headers,
    )


def _deadline_seconds(timeout: httpx.Timeout) -> float:
    phases = [t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t]
    seconds = max(phases, default=math.inf)
    if not seconds > 0:
        raise ValueError("timeout must be a positive number of seconds")
    return seconds


def _base_url(environment: Environment | None, base_url: str | None) -> str:
    if (environment is None) == (base_url is None):
        raise ValueError(
            "give either environment='test' or 'production', or base_url (ending in /api)"
        )
    if environment is not None:
        if environment not in ENVIRONMENTS:
            raise ValueError(f"environment is 'test' or 'production', not {environment!r}")
        return ENVIRONMENTS[environment]
    assert base_url is not None
    return validate_base_url(base_url)
