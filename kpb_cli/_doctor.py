"""``kpb doctor``: check the way to KPB one step at a time, and stop at the first failure.

1. DNS, 2. TCP, 3. TLS handshake and the server's certificate, 4. the client
certificate, 5. ``/test``, 6. one authorised call to each service, since KPB registers a
certificate per service. Each failure names the next step; a 401 from KPB names the
action of PDF §3.1.
"""

from __future__ import annotations

import contextlib
import math
import socket
import ssl
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.text import Text

from kpb_cli._errors import excerpt, exit_code, plain
from kpb_cli._exit import ExitCode
from kpb_cli._options import Target, TargetOptions
from kpb_ext import (
    ALLOW_LISTING_HINT,
    EXPIRY_WARNING_DAYS,
    AccessNotAllowedError,
    CertificateExpiryWarning,
    ClientCertificate,
    ConnectionFailedError,
    Cpr,
    KpbClient,
    KpbError,
    RetryPolicy,
    TlsError,
    create_ssl_context,
    tls_error,
)

ELEV_1 = "0702614074"
_ALLOW_LISTING = f"{ALLOW_LISTING_HINT} Also check firewalls and outgoing proxies."
#: The services an authorised call is made to (PDF §3.2.1, §3.2.2): a certificate is
#: registered for each service on its own (PDF §3.1).
_SERVICES: tuple[tuple[str, str, Callable[[KpbClient, Cpr], Sequence[Any]]], ...] = (
    ("/MedicalCertificate", "medical certificates", KpbClient.medical_certificates),
    ("/Application", "applications", KpbClient.applications),
)
_MAX_TIMEOUT = 600.0

console = Console(highlight=False, soft_wrap=True)


def _passed(step: str, detail: str) -> None:
    console.print(Text.assemble(("✓", "green"), " ", (step, "bold"), ": ", plain(detail)))


def _failed(step: str, detail: str, next_step: str, code: ExitCode) -> NoReturn:
    _failure(step, detail, next_step)
    raise click.exceptions.Exit(code)


def _failure(step: str, detail: str, next_step: str, body: str | None = None) -> None:
    console.print(Text.assemble(("✗", "red"), " ", (step, "bold"), ": ", plain(detail)))
    if body is not None:
        console.print(Text.assemble("  ", ("Excerpt:", "bold"), " ", body))
    console.print(Text.assemble("  ", ("Next step:", "bold"), " ", plain(next_step)))


def _error_failure(step: str, error: KpbError, next_step: str | None = None) -> None:
    detail = f"{type(error).__name__}: {error}"
    _failure(step, detail, next_step or error.hint, excerpt(error))


def _check(step: str, action: Callable[[], str]) -> None:
    """Run one step: a KpbError stops the doctor with its hint and exit code."""
    with _reported(step):
        detail = action()
    _passed(step, detail)


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not (math.isfinite(value) and 0 < value <= _MAX_TIMEOUT):
        raise click.BadParameter(
            f"{value} is not a number of seconds above 0 and at most {_MAX_TIMEOUT:.0f}"
        )
    return value


@click.command()
@click.option(
    "--cpr",
    help="CPR number for the authorised calls. Default: Elev 1 of Bilag A (0702614074) on "
    "the test environment and the simulator. Production holds real citizens' data, so "
    "there the calls are made only with an explicit --cpr.",
)
@click.option(
    "--timeout",
    type=float,
    default=10.0,
    show_default=True,
    callback=_seconds,
    help=f"Seconds per step, above 0 and at most {_MAX_TIMEOUT:.0f}.",
)
@click.pass_obj
def doctor(options: TargetOptions, cpr: str | None, timeout: float) -> None:
    """Check DNS, TCP, TLS, the certificate, /test and one authorised call per service."""
    if options.configured:
        with _reported("Base URL"):
            options.resolved_base_url()
    with options.target() as target:
        host, port = _address(target.base_url)
        addresses = _dns(host, port)
        _tcp(addresses, port, timeout, target)
        _tls(host, port, target, timeout)
        certificate = _client_certificate(target)
        # No retries: each step reports its first failure, within --timeout.
        with KpbClient(
            **target.client_arguments(), timeout=timeout, retry=RetryPolicy.none()
        ) as kpb:
            _check("KPB /test", lambda: f"answered {kpb.ping()}")
            if target.production and cpr is None:
                console.print(
                    Text.assemble(
                        ("-", "yellow"),
                        " ",
                        ("Authorised call", "bold"),
                        ": skipped on production; give --cpr with a number you may lawfully "
                        "look up to test authorisation.",
                    )
                )
                return
            with _reported("Authorised call"):
                person = Cpr.parse(cpr or ELEV_1)
            _authorised_calls(kpb, person, certificate)
    console.print(Text("All checks passed.", style="green"))


@contextlib.contextmanager
def _reported(step: str) -> Iterator[None]:
    """A KpbError in the block fails *step* with its hint and exit code."""
    try:
        yield
    except KpbError as error:
        _error_failure(step, error)
        raise click.exceptions.Exit(exit_code(error)) from None


def _authorised_calls(kpb: KpbClient, person: Cpr, certificate: ClientCertificate) -> None:
    """Call each service once. KPB registers a certificate per service (PDF §3.1), so a
    refusal by one service is reported and the other is still tried; any other
    failure stops the doctor, as it would stop every call."""
    thumbprint = certificate.thumbprint_sha1
    refused: list[str] = []
    for route, records, call in _SERVICES:
        step = f"Authorised call {route}"
        try:
            found = call(kpb, person)
        except AccessNotAllowedError as error:
            _error_failure(
                step,
                error,
                f"Certificate {thumbprint} is registered with KPB, but not for {route} "
                f"({records}). {error.hint}",
            )
            refused.append(route)
            continue
        except KpbError as error:
            _error_failure(step, error)
            raise click.exceptions.Exit(exit_code(error)) from None
        _passed(
            step,
            f"GET {route} for {person} answered 200 with {len(found)} {records}: "
            f"certificate {thumbprint} may call {route}",
        )
    if refused:
        allowed = [route for route, _, _ in _SERVICES if route not in refused]
        may = f"may call {' and '.join(allowed)} but not" if allowed else "may call neither"
        console.print(
            Text.assemble(
                ("✗", "red"),
                " ",
                ("Services", "bold"),
                f": certificate {thumbprint} {may} {' and '.join(refused)}.",
            )
        )
        raise click.exceptions.Exit(ExitCode.KPB_ERROR)


def _address(base_url: str) -> tuple[str, int]:
    """Host and port of a base URL that has passed validate_base_url."""
    parts = urlsplit(base_url)
    if not parts.path.rstrip("/").lower().endswith("/api"):
        console.print(
            Text.assemble(
                ("!", "yellow"),
                " ",
                ("Base URL", "bold"),
                f": {plain(base_url)} does not end in /api; KPB's services are under /api "
                "(PDF §1.1).",
            )
        )
    assert parts.hostname is not None
    return parts.hostname, parts.port or 443


def _dns(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        _failed(
            "DNS",
            f"{host} does not resolve ({error.strerror})",
            "Check the host name in the base URL and this machine's DNS settings.",
            ExitCode.NETWORK,
        )
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    _passed("DNS", f"{host} → {', '.join(addresses)}")
    return addresses


def _tcp(addresses: list[str], port: int, timeout: float, target: Target) -> None:
    errors = []
    for address in addresses:
        try:
            with socket.create_connection((address, port), timeout=timeout):
                _passed("TCP", f"connected to {address} port {port}")
                return
        except OSError as error:
            errors.append(f"{address}: {error.strerror or type(error).__name__}")
    failure = ConnectionFailedError(f"no TCP connection to port {port}: {'; '.join(errors)}")
    hint = failure.hint if target.simulated else _ALLOW_LISTING
    _failed("TCP", str(failure), hint, ExitCode.NETWORK)


def _tls(host: str, port: int, target: Target, timeout: float) -> None:
    with _reported("CA bundle"):
        context = create_ssl_context(None, ca_bundle=target.ca_bundle)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            version, cipher = tls.version(), tls.cipher()
            peer = tls.getpeercert() or {}
    except ssl.SSLCertVerificationError as error:
        problem = TlsError(f"the server's certificate was not accepted: {error.verify_message}")
        _failed(
            "TLS",
            str(problem),
            "If a proxy inspects TLS, give its CA certificate with --ca-bundle; check the "
            "system clock; check that the base URL's host is KPB's.",
            ExitCode.NETWORK,
        )
    except ssl.SSLError as error:
        hint = tls_error(error).hint
        _failed("TLS", f"handshake failed: {error}", hint, ExitCode.NETWORK)
    except OSError as error:
        _failed("TLS", f"handshake failed: {error}", TlsError.hint, ExitCode.NETWORK)
    subject = _name(peer.get("subject", ()))
    issuer = _name(peer.get("issuer", ()))
    expires = peer.get("notAfter", "?")
    _passed(
        "TLS",
        f"{version}, {cipher[0] if cipher else '?'}; server certificate {subject} from "
        f"{issuer}, valid until {expires}",
    )


def _name(rdns: object) -> str:
    try:
        return ", ".join(f"{k}={v}" for rdn in rdns for k, v in rdn)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return "?"


def _client_certificate(target: Target) -> ClientCertificate:
    step = "Client certificate"
    with _reported(step), warnings.catch_warnings():
        # The expiry is part of this step's report, below.
        warnings.simplefilter("ignore", CertificateExpiryWarning)
        certificate = target.certificate
    if certificate is None:
        _failed(
            step,
            "none given",
            "Give the function certificate with --p12 FILE (password in KPB_CERT_PASSWORD "
            "or KPB_CERT_PASSWORD_FILE) or --cert PEM --key PEM.",
            ExitCode.CERTIFICATE,
        )
    days = certificate.days_left
    _passed(
        step,
        f"{certificate.subject}; SHA-1 thumbprint {certificate.thumbprint_sha1}; expires "
        f"{certificate.not_valid_after:%Y-%m-%d} ({days} days left)",
    )
    if days < EXPIRY_WARNING_DAYS:
        console.print(
            Text.assemble(
                "  ",
                ("!", "yellow"),
                f" It expires within {EXPIRY_WARNING_DAYS} days: order a new function "
                "certificate and register it with KPB support in good time.",
            )
        )
    return certificate
