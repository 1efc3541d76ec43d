"""``kpb doctor``: check the way to KPB one step at a time, and stop at the first failure.

1. DNS, 2. TCP, 3. TLS handshake and the server's certificate, 4. the client
certificate, 5. ``/test``, 6. one authorised call. Each failure names the next step; a
401 from KPB names the action of PDF §3.1.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from typing import NoReturn
from urllib.parse import urlsplit

import click
from rich.console import Console

from kpb_ext import (
    EXPIRY_WARNING_DAYS,
    ClientCertificate,
    ConnectionFailedError,
    Cpr,
    KpbClient,
    KpbError,
    TlsError,
    create_ssl_context,
)
from kpb_ext.cli._errors import exit_code
from kpb_ext.cli._exit import ExitCode
from kpb_ext.cli._options import Target, TargetOptions

ELEV_1 = "0702614074"
_ALLOW_LISTING = (
    "The KPB test environment answers only IP addresses registered with KPB support: send "
    "this machine's public IP address to kpb.support@knowledgecube.net (PDF §3.1). Also "
    "check firewalls and outgoing proxies."
)

console = Console(highlight=False, soft_wrap=True)


def _passed(step: str, detail: str) -> None:
    console.print(f"[green]✓[/] [bold]{step}[/]: {detail}")


def _failed(step: str, detail: str, next_step: str, code: ExitCode) -> NoReturn:
    console.print(f"[red]✗[/] [bold]{step}[/]: {detail}")
    console.print(f"  [bold]Next step:[/] {next_step}")
    raise click.exceptions.Exit(code)


def _check(step: str, action: Callable[[], str]) -> None:
    """Run one step: a KpbError stops the doctor with its hint and exit code."""
    try:
        detail = action()
    except KpbError as error:
        _failed(step, f"{type(error).__name__}: {error}", error.hint, exit_code(error))
    _passed(step, detail)


@click.command()
@click.option(
    "--cpr",
    help="CPR number for the authorised call. Default: Elev 1 of Bilag A (0702614074) on "
    "the test environment and the simulator. Production holds real citizens' data, so "
    "there the call is made only with an explicit --cpr.",
)
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per step.")
@click.pass_obj
def doctor(options: TargetOptions, cpr: str | None, timeout: float) -> None:
    """Check DNS, TCP, TLS, the certificate, /test and one authorised call, in order."""
    production = options.environment == "production"
    with options.target() as target:
        host, port = _address(target.base_url)
        addresses = _dns(host, port)
        _tcp(addresses, port, timeout, target)
        _tls(host, port, target, timeout)
        certificate = _client_certificate(target)
        with KpbClient(**target.client_arguments(), timeout=timeout) as kpb:
            _check("KPB /test", lambda: f"answered {kpb.ping()}")
            if production and cpr is None:
                console.print(
                    "[yellow]-[/] [bold]Authorised call[/]: skipped on production; give "
                    "--cpr with a number you may lawfully look up to test authorisation."
                )
                return
            number = cpr or ELEV_1

            def authorised_call() -> str:
                found = kpb.applications(Cpr.parse(number))
                return (
                    f"GET /Application for {Cpr.parse(number)} answered 200 with "
                    f"{len(found)} application(s): certificate {certificate.thumbprint_sha1} "
                    f"is registered for the service"
                )

            _check("Authorised call", authorised_call)
    console.print("[green]All checks passed.[/]")


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.hostname:
        _failed(
            "Base URL",
            f"{base_url!r} is not an https:// URL",
            "KPB answers only HTTPS (plain HTTP gets 403 HTTPS Required): use the "
            "BaseUrl of PDF §1.1, e.g. https://service-kpbt2.knowledgecube.net/api",
            ExitCode.USAGE,
        )
    if not parts.path.rstrip("/").lower().endswith("/api"):
        console.print(
            f"[yellow]![/] [bold]Base URL[/]: {base_url} does not end in /api; KPB's "
            "services are under /api (PDF §1.1)."
        )
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
    except (ssl.SSLError, OSError) as error:
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
    try:
        certificate = target.certificate
    except KpbError as error:
        _failed(step, f"{type(error).__name__}: {error}", error.hint, exit_code(error))
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
    if days <= EXPIRY_WARNING_DAYS:
        console.print(
            f"  [yellow]![/] It expires within {EXPIRY_WARNING_DAYS} days: order a new "
            "function certificate and register it with KPB support in good time."
        )
    return certificate
