"""The KPB clients: :class:`KpbClient` (sync) and :class:`AsyncKpbClient`.

Each wraps one generated :class:`kpb_client.Client` and so one pooled httpx client:
connections are kept alive, and the TLS handshake (with the client certificate) is done
once per connection rather than once per call. The TLS context comes from
:func:`create_ssl_context`: system trust store plus an optional CA bundle, TLS 1.2 or
newer, verification always on.

Every call ends in the generated model, or in one of the errors of ``_exceptions``;
CPR numbers given as text are parsed (and rejected) before anything is sent. Creating a
client installs the CPR filter on the httpx, httpcore and kpb_ext loggers.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeVar
from urllib.parse import urlencode

import httpx

import kpb_client
from kpb_client.api.application import get_applications
from kpb_client.api.medical_certificate import get_medical_certificates
from kpb_client.api.test import get_test
from kpb_client.models import (
    Application,
    ApplicationsResponse,
    MedicalCertificate,
    MedicalCertificatesResponse,
)

from ._batch import LookupResult, ProgressCallback, What, lookup_many_async, lookup_many_sync
from ._certificates import ClientCertificate, create_ssl_context
from ._cpr import Cpr
from ._pools import SpreadTransport
from ._redact import install_log_redaction
from ._responses import read_model, read_string_list, response_error, transport_error
from ._retry import RetryPolicy

__all__ = ["DEFAULT_TIMEOUT", "ENVIRONMENTS", "AsyncKpbClient", "KpbClient"]

T = TypeVar("T")

#: Base URLs of KPB's environments (PDF §1.1), without the trailing slash (D13).
ENVIRONMENTS: Final[dict[str, str]] = {
    "production": "https://service-koreprovebooking.dk/api",
    "test": "https://service-kpbt2.knowledgecube.net/api",
}
#: Seconds allowed for connecting, and for each read and write.
DEFAULT_TIMEOUT: Final = 30.0

_USER_AGENT: Final = "kpb (+https://github.com/kpb-dk/kpb)"
# As many kept-alive connections as open ones. httpcore 1.0 compares its keep-alive
# limit with the number of all connections, idle or not, so with httpx's default of 20
# a batch at concurrency above 20 closed every connection after one request and paid a
# TLS handshake per lookup.
_POOL_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)
Environment = Literal["test", "production"]
Reader = Callable[[httpx.Response], T]


# A null list reads as no records (D22).
def _medical_certificates(response: httpx.Response) -> list[MedicalCertificate]:
    return read_model(response, MedicalCertificatesResponse).medical_certificates or []


def _applications(response: httpx.Response) -> list[Application]:
    return read_model(response, ApplicationsResponse).applications or []


class _ClientBase:
    """Configuration shared by the sync and the async client.

    Give ``environment="test"`` or ``"production"``, or ``base_url`` (including
    ``/api``). ``certificate`` is the function certificate (not needed for ``ping``),
    ``ca_bundle`` extra trusted CA certificates (PEM), ``timeout`` seconds per phase
    (30 by default), ``retry`` a :class:`RetryPolicy` (``RetryPolicy.none()`` to switch
    retries off).
    """

    base_url: str
    certificate: ClientCertificate | None
    retry: RetryPolicy
    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        *,
        environment: Environment | None = None,
        base_url: str | None = None,
        certificate: ClientCertificate | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        install_log_redaction()
        self.base_url = _base_url(environment, base_url)
        self.certificate = certificate
        self.retry = retry if retry is not None else RetryPolicy()
        context: ssl.SSLContext = create_ssl_context(certificate, ca_bundle=ca_bundle)
        self._generated = kpb_client.Client(
            base_url=self.base_url,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            verify_ssl=context,
            headers={"Accept": "application/json", "User-Agent": _USER_AGENT},
            follow_redirects=False,
            httpx_args={"limits": _POOL_LIMITS, **self._transport(context)},
        )
        self._routes: dict[str, str] = {}
        self._connect()

    def _connect(self) -> None:
        raise NotImplementedError

    def _transport(self, context: ssl.SSLContext) -> dict[str, Any]:
        return {}

    def _url(self, request: Mapping[str, Any]) -> str:
        """The absolute URL of a request made by a generated ``_get_kwargs``.

        Given a route and ``params``, httpx joins them to the base URL with several
        parses and copies of URL objects on every request; given one absolute string, it
        parses once, which saves some 30 µs a request (httpx 0.28). The route is still
        joined by httpx, once per client.
        """
        route = request["url"]
        prefix = self._routes.get(route)
        if prefix is None:
            url = self._http.build_request("GET", route).url
            prefix = self._routes[route] = str(url.copy_with(query=None, fragment=None))
        params = request.get("params")
        return f"{prefix}?{urlencode(params)}" if params else prefix

    def __repr__(self) -> str:
        who = self.certificate.thumbprint_sha1 if self.certificate else "none"
        return f"<{type(self).__name__} base_url={self.base_url!r} certificate={who}>"


class KpbClient(_ClientBase):
    """Synchronous KPB client. Use it as a context manager, or call :meth:`close`.

    Keyword arguments: ``environment`` or ``base_url``, ``certificate``, ``ca_bundle``,
    ``timeout``, ``retry`` (see the base class).
    """

    _http: httpx.Client

    def _connect(self) -> None:
        self._http = self._generated.get_httpx_client()

    def ping(self) -> list[str]:
        """``GET /test``: ``["Hello", "World"]`` when KPB is reachable (PDF §3.1.2)."""
        return self._call(get_test._get_kwargs(), read_string_list)

    def medical_certificates(self, cpr: Cpr | str) -> list[MedicalCertificate]:
        """The person's medical certificates (PDF §3.2.1); empty when there are none."""
        request = get_medical_certificates._get_kwargs(cpr=Cpr.parse(cpr).digits)
        return self._call(request, _medical_certificates)

    def applications(self, cpr: Cpr | str) -> list[Application]:
        """The person's driving-test applications (PDF §3.2.2); empty when there are none."""
        request = get_applications._get_kwargs(cpr=Cpr.parse(cpr).digits)
        return self._call(request, _applications)

    def lookup_many(
        self,
        cprs: Iterable[Cpr | str],
        *,
        what: What = "applications",
        progress: ProgressCallback | None = None,
    ) -> Iterator[LookupResult]:
        """Look up many CPR numbers one after the other; see :meth:`AsyncKpbClient.lookup_many`."""
        return lookup_many_sync(self, cprs, what=what, progress=progress)

    def _call(self, request: dict[str, Any], read: Reader[T]) -> T:
        return self.retry.call(lambda: self._send(request, read))

    def _send(self, request: dict[str, Any], read: Reader[T]) -> T:
        try:
            response = self._http.request(request["method"], self._url(request))
        except httpx.TransportError as exc:
            raise transport_error(exc) from None
        if response.status_code == 200:
            return read(response)
        raise response_error(response)

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

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
    """Asynchronous KPB client, with the arguments of :class:`KpbClient`.

    Use it as an async context manager, or call :meth:`aclose`.
    """

    _http: httpx.AsyncClient

    def _connect(self) -> None:
        self._http = self._generated.get_async_httpx_client()

    def _transport(self, context: ssl.SSLContext) -> dict[str, Any]:
        # Concurrent lookups over several small pools: see _pools.
        return {"transport": SpreadTransport(verify=context, limits=_POOL_LIMITS)}

    async def ping(self) -> list[str]:
        """``GET /test``: ``["Hello", "World"]`` when KPB is reachable (PDF §3.1.2)."""
        return await self._call(get_test._get_kwargs(), read_string_list)

    async def medical_certificates(self, cpr: Cpr | str) -> list[MedicalCertificate]:
        """The person's medical certificates (PDF §3.2.1); empty when there are none."""
        request = get_medical_certificates._get_kwargs(cpr=Cpr.parse(cpr).digits)
        return await self._call(request, _medical_certificates)

    async def applications(self, cpr: Cpr | str) -> list[Application]:
        """The person's driving-test applications (PDF §3.2.2); empty when there are none."""
        request = get_applications._get_kwargs(cpr=Cpr.parse(cpr).digits)
        return await self._call(request, _applications)

    def lookup_many(
        self,
        cprs: Iterable[Cpr | str],
        *,
        what: What = "applications",
        concurrency: int = 8,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[LookupResult]:
        """Look up many CPR numbers, at most *concurrency* at a time.

        Yields one :class:`LookupResult` per distinct number as soon as it is done (not
        in input order; ``result.index`` is the input position). An invalid number or a
        failed lookup becomes a result holding the typed error; the batch goes on.
        *what* is ``"applications"``, ``"medical_certificates"`` or ``"both"``.
        *progress*, if given, is called as ``progress(done, total)`` after each result;
        ``total`` is None until the input has been read to its end, unless it has a
        length.
        """
        return lookup_many_async(self, cprs, what=what, concurrency=concurrency, progress=progress)

    async def _call(self, request: dict[str, Any], read: Reader[T]) -> T:
        return await self.retry.call_async(lambda: self._send(request, read))

    async def _send(self, request: dict[str, Any], read: Reader[T]) -> T:
        try:
            response = await self._http.request(request["method"], self._url(request))
        except httpx.TransportError as exc:
            raise transport_error(exc) from None
        if response.status_code == 200:
            return read(response)
        raise response_error(response)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


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
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.scheme not in ("https", "http") or not url.host:
        raise ValueError(f"base_url must be an https:// URL, not {base_url!r}")
    return base_url.rstrip("/")
