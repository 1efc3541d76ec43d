"""The base URL: one check for every way one is given.

Every call but ``/test`` carries a CPR number in its query, and KPB answers only HTTPS
(PDF §3, §3.1.1). So a base URL is refused, before any connection, unless it is an
``https://`` URL with a host name or IP address, an optional port and path, and nothing
that would be sent or dropped without the user seeing it: no user name or password
(they would go to the server and into logs; the function certificate is the
credential), no query and no fragment (the client writes the query itself). The
library, every command and the contract suite call :func:`validate_base_url`, so a URL
is never accepted in one place and refused in another.

Messages show the URL without any credentials, with CPR-shaped numbers masked.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, Literal
from urllib.parse import urlsplit

from ._exceptions import InvalidBaseUrlError

__all__ = ["is_loopback", "same_host", "validate_base_url"]

_SHOWN_LENGTH: Final = 100
# A DNS label (RFC 1123), after IDNA encoding.
_LABEL: Final = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_PERCENT: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CREDENTIALS: Final = re.compile(r"[^/@]*@")


def validate_base_url(url: str, *, scheme: Literal["https", "http"] = "https") -> str:
    """Return *url* without trailing slashes, or raise :class:`InvalidBaseUrlError`.

    ``scheme="http"`` is only for the contract suite's check that KPB refuses plain
    HTTP; everything else is checked the same way.
    """
    if not isinstance(url, str):
        raise InvalidBaseUrlError(f"the base URL must be text, not {type(url).__name__}")
    shown = _shown(url)
    if not url.strip():
        raise InvalidBaseUrlError("the base URL is empty")
    if url != url.strip():
        raise InvalidBaseUrlError(f"the base URL {shown} starts or ends with a space")
    given, separator, rest = url.partition("://")
    if not separator or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", given):
        raise InvalidBaseUrlError(f"{shown} is not a URL: it should start with {scheme}://")
    if given.lower() != scheme:
        raise InvalidBaseUrlError(_scheme_problem(shown, given.lower(), scheme))
    if any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidBaseUrlError(f"the base URL {shown} contains a space or control character")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        raise InvalidBaseUrlError(
            f"the base URL {shown} holds a user name or password: KPB knows the caller "
            "by the function certificate alone, and credentials in a URL end up in logs"
        )
    if "?" in url or "#" in url:
        raise InvalidBaseUrlError(
            f"the base URL {shown} has a query (?...) or fragment (#...): give only "
            "scheme, host, port and path; the client adds ?cpr= itself"
        )
    if "\\" in url or _PERCENT.search(url):
        raise InvalidBaseUrlError(
            f"the base URL {shown} contains a backslash or a % not followed by two hex digits"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # an unclosed [, a port that is not a number
        raise InvalidBaseUrlError(f"the base URL {shown} cannot be read: {exc}") from None
    host = parts.hostname or ""
    if not host:
        raise InvalidBaseUrlError(f"the base URL {shown} has no host name")
    if not _valid_host(host, bracketed=authority.startswith("[")):
        raise InvalidBaseUrlError(f"the base URL {shown} has an invalid host name {host!r}")
    if port == 0 or authority.endswith(":"):
        raise InvalidBaseUrlError(f"the base URL {shown} has no usable port (1-65535)")
    return url.rstrip("/")


def same_host(url: str, other: str) -> bool:
    """Whether two URLs name the same host, whatever the letter case, IDNA form or
    trailing dot of a fully qualified name (``service-koreprovebooking.dk.``)."""
    first, second = _host_key(url), _host_key(other)
    return first is not None and first == second


def is_loopback(url: str) -> bool:
    """Whether *url* names this machine (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    host = _host_key(url)
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_key(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def _scheme_problem(shown: str, given: str, wanted: str) -> str:
    if given == "http" and wanted == "https":
        return (
            f"the base URL {shown} is plain HTTP: CPR numbers would travel unencrypted, and "
            "KPB answers only HTTPS (PDF §3.1.1); use https://"
        )
    return f"the base URL {shown} is {given}://, not {wanted}://"


def _shown(url: object) -> str:
    """The URL for a message: quoted, cut short, and whatever precedes an ``@`` in each
    path segment (a user name and password) replaced by ``***``.

    CPR-shaped numbers are masked by :class:`KpbError` itself.
    """
    text = _CREDENTIALS.sub("***@", str(url))
    if len(text) > _SHOWN_LENGTH:
        text = text[:_SHOWN_LENGTH] + "…"
    return ascii(text) if not text.isprintable() else repr(text)
