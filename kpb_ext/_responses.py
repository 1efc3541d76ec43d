"""What comes back from KPB, turned into results or typed errors (no I/O here).

Every outcome of a request ends in exactly one of: the parsed generated model, a
:class:`KpbResponseError` for the status (PDF §3.3), an :class:`InvalidResponseError`
when the body is not what the spec says, or a :class:`TransportError` when no answer
came. Nothing else escapes, and no undocumented status turns into None.

The client builds requests with the generated modules' ``build_request`` (method, route
and query as the spec defines them) and interprets responses here: any status at all,
a body that is not JSON, an HTML 401 from a proxy. The errors keep the status, the
response headers and a masked excerpt of the body.
"""

from __future__ import annotations

import email.utils
import json
import re
import ssl
import time
from collections.abc import Mapping
from typing import Any, Final, Protocol, Self, TypeVar

import httpx

from kpb_client.models import ErrorMessage

from ._exceptions import (
    AccessNotAllowedError,
    BadRequestError,
    CertificateDoesNotExistError,
    CertificateNotVerifiedError,
    CertificateRequiredError,
    ConnectionFailedError,
    HttpsRequiredError,
    InvalidResponseError,
    KpbResponseError,
    KpbTimeoutError,
    MissingParameterError,
    NotFoundError,
    TlsError,
    TransportError,
    UnauthorizedError,
    UnexpectedStatusError,
)
from ._redact import drop_cut_number, redact
from ._shape import body_problem

__all__ = [
    "EXCERPT_LENGTH",
    "parse_retry_after",
    "read_model",
    "read_string_list",
    "response_error",
    "tls_error",
    "transport_error",
]


#: Characters of a body kept in :attr:`InvalidResponseError.excerpt`.
EXCERPT_LENGTH: Final = 200
_WINDOW: Final = 4096  # bytes of a body looked at for an excerpt

_DOCUMENTED: Final[dict[int, type[KpbResponseError]]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: HttpsRequiredError,
    404: NotFoundError,
}
_UNAUTHORIZED: Final[dict[str, type[UnauthorizedError]]] = {
    "certificate required": CertificateRequiredError,
    "certificate not verified": CertificateNotVerifiedError,
    "certificate doesn't exist": CertificateDoesNotExistError,
    "access not allowed for certificate": AccessNotAllowedError,
}
_MISSING_PARAMETER: Final = re.compile(r'Parameter\s+"[^"]*"\s+mangler\.?', re.IGNORECASE)


class Received(Protocol):
    """A response read in full: an ``httpx.Response`` or the client's ``Answer``."""

    @property
    def status_code(self) -> int: ...
    @property
    def reason_phrase(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...


class _Model(Protocol):  # a generated model class
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...


M = TypeVar("M", bound=_Model)


# -- bodies ------------------------------------------------------------------------------


#: For JSON in another shape: KPB's own answer differs from the spec, or a stranger's.
_SHAPE_HINT = (
    "The answer is JSON, but not in the shape the spec gives KPB's answers (see the field "
    "named). If the base URL is KPB's, run `kpb contract` against it to see every "
    "difference, and send its summary to KPB support; otherwise a proxy or other server "
    "may answer in KPB's place."
)


def read_model(response: Received, model: type[M]) -> M:
    """Parse a 200 body into the generated *model*, or raise InvalidResponseError."""
    data = _json(response)
    problem = body_problem(model, data)
    if problem is not None:
        raise _invalid(response, f"the body does not match the spec: body{problem}", _SHAPE_HINT)
    try:
        return model.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a GUID's format
        reason = _parse_problem(exc)
        raise _invalid(
            response, f"the body does not match the spec ({reason})", _SHAPE_HINT
        ) from None


def read_string_list(response: Received) -> list[str]:
    """Parse the body of ``GET /test``: a JSON array of two strings (``HelloWorld``)."""
    data = _json(response)
    if type(data) is not list or len(data) != 2 or not all(type(item) is str for item in data):
        raise _invalid(response, "the body is not a JSON array of two strings")
    return data


def _json(response: Received) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
        raise _invalid(response, "the body is not JSON") from None
    except RecursionError:
        # nested deeper than any KPB answer (a few levels), and than Python's parser goes
        raise _invalid(response, "the body is nested too deeply to read as JSON") from None


def _invalid(response: Received, problem: str, hint: str | None = None) -> InvalidResponseError:
    status = response.status_code
    return InvalidResponseError(
        f"KPB answered {status}, but {problem}",
        status_code=status,
        excerpt=excerpt(response.content),
        headers=response.headers,
        hint=hint,
    )


def _parse_problem(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing member {exc.args[0]!r}" if exc.args else "a member is missing"
    return redact(f"{type(exc).__name__}: {exc}")[:120]


def excerpt(content: bytes) -> str:
    """The start of *content* as one masked line of at most EXCERPT_LENGTH characters.

    Masking happens before any cut, and digits at a cut are dropped, so that a CPR
    number split by the cut cannot show its first digits.
    """
    text = content[:_WINDOW].decode("utf-8", errors="replace")
    if len(content) > _WINDOW:
        text = _drop_cut_digits(text)
    text = " ".join(redact(text).split())
    if len(text) > EXCERPT_LENGTH:
        text = _drop_cut_digits(text[:EXCERPT_LENGTH]) + "…"
    return text


def _drop_cut_digits(text: str) -> str:
    return drop_cut_number(text)


# -- error statuses ----------------------------------------------------------------------


def response_error(response: Received) -> KpbResponseError | InvalidResponseError:
    """The error for a response whose status is not 200."""
    status = response.status_code
    documented = _DOCUMENTED.get(status)
    if documented is None:
        return _unexpected(response)
    message = _error_message(response)
    if message is None:
        return _invalid(
            response,
            'the body is not KPB\'s {"Message": ...} error',
            hint=f"{InvalidResponseError.hint} For status {status}: {documented.hint}",
        )
    headers, start = response.headers, excerpt(response.content)
    cls: type[KpbResponseError]
    if status == 401:
        key = " ".join(message.replace("\u2019", "'").split()).rstrip(".").casefold()
        cls = _UNAUTHORIZED.get(key, UnauthorizedError)
    elif status == 400 and _MISSING_PARAMETER.fullmatch(message.strip()):
        cls = MissingParameterError
    else:
        cls = documented
    return cls(status, message, headers=headers, excerpt=start)


def _error_message(response: Received) -> str | None:
    try:
        data = json.loads(response.content)
        message = ErrorMessage.from_dict(data).message
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
        return None
    return message if type(message) is str else None


def _unexpected(response: Received) -> UnexpectedStatusError:
    status = response.status_code
    message = _error_message(response)
    if message is None:
        reason = response.reason_phrase or "no reason given"
        body = excerpt(response.content)
        message = f"{reason}: {body}" if body else reason
    location = response.headers.get("location")
    if location and 300 <= status < 400:
        message = f"{message} (redirected to {location})"
    return UnexpectedStatusError(
        status,
        message,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        headers=response.headers,
        excerpt=excerpt(response.content),
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


# -- transport ---------------------------------------------------------------------------

_VERIFY_HINT: Final = (
    "KPB's server certificate could not be verified: give the CA certificate that issued it "
    "(ca_bundle), check the computer's clock, and check the host name in the base URL."
)
_REFUSED_HINT: Final = (
    "The server ended the TLS handshake, usually over the client certificate: check that the "
    "function certificate is given with its private key, is a client certificate, has not "
    "expired, and is issued by a CA the server accepts."
)
_VERSION_HINT: Final = (
    "The server offers no TLS version this client accepts: KPB speaks TLS 1.2 (PDF §3), and "
    "the client refuses anything older. Check that the base URL names KPB, and ask whoever "
    "runs a proxy in between to allow TLS 1.2 or newer."
)
# OpenSSL's words for a failed version negotiation, on either side.
_VERSION: Final = ("protocol version", "unsupported protocol", "no protocols available")
_ALERTS: Final = ("alert", "handshake failure", "no certificate", "peer did not return")


def transport_error(exc: httpx.TransportError) -> TransportError:
    """Our error for an httpx transport failure, with a masked message."""
    reason = redact(str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return KpbTimeoutError(f"timed out while {phase}")
    tls = _ssl_cause(exc)
    if tls is not None:
        return tls_error(tls)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return ConnectionFailedError(f"connection failed: {reason}")
    return TransportError(f"{type(exc).__name__}: {reason}")


def tls_error(exc: ssl.SSLError) -> TlsError:
    """Our error for a failed TLS handshake, with the hint that fits its cause."""
    text = redact(str(exc))
    lowered = text.lower()
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TlsError(f"TLS failed: {text}", hint=_VERIFY_HINT)
    if any(words in lowered for words in _VERSION):
        return TlsError(f"TLS failed: {text}", hint=_VERSION_HINT)
    if any(word in lowered for word in _ALERTS):
        return TlsError(f"TLS failed: {text}", hint=_REFUSED_HINT)
    return TlsError(f"TLS failed: {text}")


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
