"""The exceptions of kpb_ext: one tree, rooted in :class:`KpbError`.

Our exception hierarchy::

    KpbError
    ├── InvalidCprError                       (also a ValueError)
    ├── InvalidBaseUrlError                   (also a ValueError)
    ├── CertificateError
    │   ├── CertificateLoadError
    │   ├── CertificatePasswordError
    │   └── CertificateExpiredError
    ├── KpbResponseError                      .status_code, .message, .headers, .excerpt
    │   ├── BadRequestError                   400
    │   │   └── MissingParameterError         400 Parameter "..." mangler.
    │   ├── UnauthorizedError                 401, any other message
    │   │   ├── CertificateRequiredError      401 Certificate required
    │   │   ├── CertificateNotVerifiedError   401 Certificate not verified
    │   │   ├── CertificateDoesNotExistError  401 Certificate doesn't exist
    │   │   └── AccessNotAllowedError         401 Access not allowed for Certificate
    │   ├── HttpsRequiredError                403
    │   ├── NotFoundError                     404
    │   └── UnexpectedStatusError             any other status (3xx, 429, 5xx, ...)
    ├── InvalidResponseError                  .status_code, .headers, .excerpt
    │   └── ResponseTooLargeError             the body exceeds .limit bytes
    └── TransportError
        ├── KpbTimeoutError
        ├── TlsError
        ├── ConnectionFailedError
        └── KpbUnavailableError               a batch stopped: KPB answered none of N in a row

Every class has a ``hint``: the next step to take, from KPB's documentation (PDF §3.1,
§3.3) where it gives one. An instance may carry a more precise hint than its class; it
is also attached as a note, so that a traceback shows it.

Errors about a response keep what came back for support to read: the status, the
response headers and the start of the body (``excerpt``, at most a few hundred
characters). No message carries a full CPR number: messages, KPB's ``Message``, header
values and body excerpts are masked when the exception is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._facts import ACCESS_EMAIL, BASE_URL_HINT, ENVIRONMENTS, REGISTRATION_HINT, SUPPORT_EMAIL
from ._redact import redact

__all__ = [
    "AccessNotAllowedError",
    "BadRequestError",
    "CertificateDoesNotExistError",
    "CertificateError",
    "CertificateExpiredError",
    "CertificateLoadError",
    "CertificateNotVerifiedError",
    "CertificatePasswordError",
    "CertificateRequiredError",
    "ConnectionFailedError",
    "HttpsRequiredError",
    "InvalidBaseUrlError",
    "InvalidCprError",
    "InvalidResponseError",
    "KpbError",
    "KpbResponseError",
    "KpbTimeoutError",
    "KpbUnavailableError",
    "MissingParameterError",
    "NotFoundError",
    "ResponseTooLargeError",
    "TlsError",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedStatusError",
]


class KpbError(Exception):
    """Base of every error raised by kpb_ext."""

    hint: str = "See the message; KPB Web Service Systemdokumentation v1.6 describes the service."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(redact(message))
        if hint is not None:
            self.hint = hint
        self.add_note(f"hint: {self.hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (for process pools) whatever the subclass's __init__ takes.
        return (_rebuild, (type(self), str(self), dict(self.__dict__)))


def _rebuild(cls: type[KpbError], message: str, state: dict[str, Any]) -> KpbError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


# -- input -------------------------------------------------------------------------------


class InvalidCprError(KpbError, ValueError):
    """A CPR number is not 10 digits with a real birth date. No request was sent."""

    hint = "Give the person's 10-digit CPR number, written DDMMYYSSSS or DDMMYY-SSSS."


class InvalidBaseUrlError(KpbError, ValueError):
    """A base URL that is not an ``https://`` URL KPB could answer. Nothing was sent."""

    hint = (
        f"Give KPB's BaseUrl as in the documentation (PDF §1.1), for example "
        f"{ENVIRONMENTS['test']} (test) or {ENVIRONMENTS['production']} (production); or "
        "name the environment instead (--env test, environment='test')."
    )


# -- certificates ------------------------------------------------------------------------


class CertificateError(KpbError):
    """The client certificate could not be used."""

    hint = "Check the function certificate file and its password."


class CertificateLoadError(CertificateError):
    """The certificate or key cannot be read, is not one, or they do not belong together."""

    hint = (
        "Give the function certificate as a PKCS#12 file (.p12/.pfx) with its password, or "
        "as a PEM certificate and its private key; check that the key belongs to the "
        "certificate."
    )


class CertificatePasswordError(CertificateError):
    """The password of the key or PKCS#12 file is missing or wrong."""

    hint = (
        "Check the password. Give it in the environment variable KPB_CERT_PASSWORD, or in a "
        "file named by KPB_CERT_PASSWORD_FILE; never on a command line."
    )


class CertificateExpiredError(CertificateError):
    """The certificate's validity period has ended."""

    hint = (
        "Renew the function certificate, then register the new one with KPB support: "
        f"{REGISTRATION_HINT}."
    )


# -- KPB's error responses ---------------------------------------------------------------


def _masked_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {name.lower(): redact(value) for name, value in (headers or {}).items()}


class KpbResponseError(KpbError):
    """KPB answered with an error status.

    ``message`` is KPB's ``Message`` (or the status's reason and the start of the body),
    ``headers`` the response headers (names in lower case), ``excerpt`` the start of the
    body; all masked.
    """

    hint = "KPB refused the request; see the status and message."
    status_code: int
    message: str
    headers: dict[str, str]
    excerpt: str

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        excerpt: str = "",
        hint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = redact(message)
        self.headers = _masked_headers(headers)
        self.excerpt = redact(excerpt)
        super().__init__(f"KPB answered {status_code}: {self.message}", hint=hint)


class BadRequestError(KpbResponseError):
    """400: a parameter is missing or malformed."""

    hint = (
        "KPB rejected the request's parameters: cpr must be exactly 10 digits. This client "
        "checks CPR numbers before sending, so this points to a changed service; report it."
    )


class MissingParameterError(BadRequestError):
    """400 ``Parameter "cpr" mangler.``: a required parameter was not sent (PDF §3.3)."""

    hint = "A required parameter (the message names it) was not sent: give a CPR number."


class UnauthorizedError(KpbResponseError):
    """401 with a message other than the four KPB documents."""

    hint = (
        "KPB did not accept the client certificate. Check that the registered function "
        "certificate is configured; KPB support can tell which certificate they registered."
    )


class CertificateRequiredError(UnauthorizedError):
    """401 ``Certificate required``: no client certificate reached KPB."""

    hint = (
        "The client presented no certificate: configure the function certificate with its "
        "private key, and check that no proxy in between ends the TLS connection."
    )


class CertificateNotVerifiedError(UnauthorizedError):
    """401 ``Certificate not verified``: KPB does not accept the certificate as valid."""

    hint = (
        "KPB could not verify the certificate: check its expiry date and its chain; renew an "
        f"expired certificate and register the new one: {REGISTRATION_HINT}."
    )


class CertificateDoesNotExistError(UnauthorizedError):
    """401 ``Certificate doesn't exist``: the certificate is not registered or not active."""

    hint = (
        "The certificate is not registered (or not active) in KPB: "
        f"{REGISTRATION_HINT}. Compare its SHA-1 thumbprint with the one KPB support registered."
    )


class AccessNotAllowedError(UnauthorizedError):
    """401 ``Access not allowed for Certificate``: registered, but not for this service."""

    hint = (
        f"The certificate is registered but not for this service: ask KOMBIT ({ACCESS_EMAIL}) to "
        f"approve access to it, then ask KPB support ({SUPPORT_EMAIL}) to extend the "
        "certificate's access (PDF §3.1)."
    )


class HttpsRequiredError(KpbResponseError):
    """403 ``HTTPS Required``: the request was sent over plain HTTP."""

    hint = f"KPB answers only HTTPS. {BASE_URL_HINT}"


class NotFoundError(KpbResponseError):
    """404 ``No HTTP resource was found that matches the request URI ...``."""

    hint = f"Check the base URL: it must end in /api, for example {ENVIRONMENTS['test']}."


class UnexpectedStatusError(KpbResponseError):
    """A status KPB does not document (a redirect, 405, 429, a 5xx...).

    ``retry_after`` holds the seconds of a ``Retry-After`` header, if one was sent.
    """

    hint = (
        "KPB answered with a status its documentation does not list. 429 and 5xx are usually "
        f"temporary: retry later; if it persists, contact {SUPPORT_EMAIL}."
    )
    retry_after: float | None

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
        excerpt: str = "",
        hint: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status_code, message, headers=headers, excerpt=excerpt, hint=hint)


# -- responses that are not what the spec says --------------------------------------------


class InvalidResponseError(KpbError):
    """The body is not what KPB documents: HTML, truncated JSON, wrong types.

    ``status_code`` is the HTTP status (None when the response did not come from an HTTP
    exchange); ``headers`` the response headers and ``excerpt`` the start of the body,
    masked and shortened.
    """

    hint = (
        "The answer was not what KPB documents: a proxy, load balancer or login page in "
        "between may have answered, or KPB changed its format. Check the base URL and proxy "
        "settings; the excerpt shows what came back."
    )
    status_code: int | None
    headers: dict[str, str]
    excerpt: str

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None,
        excerpt: str,
        headers: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = _masked_headers(headers)
        self.excerpt = redact(excerpt)
        super().__init__(message, hint=hint)


class ResponseTooLargeError(InvalidResponseError):
    """The body, decompressed, is larger than any KPB answer: ``limit`` bytes.

    KPB's answers are a few kilobytes. The body is read no further than the limit, so a
    server that sends gigabytes, or a small compressed body that expands to gigabytes,
    costs no more memory than the limit.
    """

    hint = (
        "The answer was far larger than any KPB answer: check the base URL, and that no "
        "proxy or other server answers in KPB's place."
    )
    limit: int

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        status_code: int | None,
        excerpt: str,
        headers: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.limit = limit
        super().__init__(
            message, status_code=status_code, excerpt=excerpt, headers=headers, hint=hint
        )


# -- transport ---------------------------------------------------------------------------


class TransportError(KpbError):
    """The request did not complete: no HTTP answer came back."""

    hint = "Check the network path to KPB: DNS, firewall and proxy settings."


class KpbTimeoutError(TransportError):
    """The request took longer than its timeout: connecting, TLS, sending and reading the
    whole answer share one deadline, and retries one budget."""

    hint = (
        "KPB did not answer in time: retry later or raise the timeout. The test environment "
        "answers only IP addresses registered with KPB support (PDF §3.1)."
    )


class TlsError(TransportError):
    """The TLS handshake failed, or the server ended TLS with an alert."""

    hint = (
        "The TLS handshake failed: check the CA bundle (ca_bundle) and the computer's clock, "
        "and that the certificate is a client certificate given with its private key."
    )


class ConnectionFailedError(TransportError):
    """No connection could be made, or it was lost before the answer came."""

    hint = (
        "Could not reach KPB: check the host name, network, firewall and proxy. The test "
        "environment accepts only IP addresses registered with KPB support (PDF §3.1)."
    )


class KpbUnavailableError(TransportError):
    """A batch stopped because KPB answered none of ``failures`` numbers in a row."""

    hint = (
        "KPB, or the network path to it, is down: the batch stopped rather than wait out the "
        "retries of every number left. Check the connection (kpb doctor), then continue "
        "later; kpb lookup --resume asks again for the numbers KPB did not answer."
    )
    failures: int

    def __init__(self, failures: int, last: KpbError) -> None:
        self.failures = failures
        super().__init__(
            f"{failures} numbers in a row got no answer from KPB; "
            f"the last: {type(last).__name__}: {last}"
        )
