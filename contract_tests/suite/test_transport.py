"""What schemathesis cannot check: TLS, plain HTTP, the connectivity check, routing and
whether the secured operations refuse a caller without a certificate."""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Callable

import pytest

from contract_tests._answers import SECURED_PATHS, is_json, json_body, message
from contract_tests._assumptions import (
    method_assumption,
    not_found_assumption,
    spelling_assumption,
)
from contract_tests._messages import documented_messages
from contract_tests._openapi import TEST_CPRS
from contract_tests._run import ContractRun

_CPR = (("cpr", TEST_CPRS[0]),)


@pytest.mark.parametrize("with_certificate", [True, False], ids=["certificate", "no certificate"])
def test_connectivity_check_answers_hello_world(kpb: ContractRun, with_certificate: bool) -> None:
    identity = kpb.target.identity if with_certificate else kpb.target.anonymous
    exchange = kpb.request("/test", identity=identity)
    if exchange.status != 200 or not is_json(exchange) or json_body(exchange) != ["Hello", "World"]:
        raise kpb.violation(
            exchange,
            check="hello_world",
            expected='200 ["Hello","World"] as application/json, with or without a '
            "certificate (PDF §3.1.2)",
        )


@pytest.mark.parametrize("path", ["/test", *SECURED_PATHS])
def test_plain_http_is_refused(kpb: ContractRun, path: str) -> None:
    base_url = kpb.target.plain_http_base_url
    exchange = kpb.request(path, params=() if path == "/test" else _CPR, base_url=base_url)
    if exchange.status is None:
        pytest.skip(
            f"nothing answered plain HTTP at {base_url} ({exchange.error}); "
            "name the right URL with --http-base-url"
        )
    if exchange.status != 403 or message(exchange) != "HTTPS Required":
        raise kpb.violation(
            exchange,
            check="https_required",
            expected='403 {"Message":"HTTPS Required"} to plain HTTP, never data (PDF §3.3)',
            operation=f"plain HTTP GET {path}",
        )


@pytest.mark.parametrize("path", SECURED_PATHS)
def test_secured_operation_refuses_caller_without_certificate(kpb: ContractRun, path: str) -> None:
    # schemathesis's ignored_auth check cannot leave a client certificate out: this can.
    exchange = kpb.request(path, params=_CPR, identity=kpb.target.anonymous)
    if exchange.status != 401 or message(exchange) != "Certificate required":
        raise kpb.violation(
            exchange,
            check="certificate_required",
            expected='401 {"Message":"Certificate required"} to a caller without a client '
            "certificate (PDF §3.3)",
        )


def test_tls_1_2_is_accepted(kpb: ContractRun) -> None:
    exchange = kpb.request("/test", minimum=ssl.TLSVersion.TLSv1_2, maximum=ssl.TLSVersion.TLSv1_2)
    if exchange.status is None:
        raise kpb.violation(
            exchange,
            check="tls_1_2",
            expected="a TLS 1.2 handshake and an answer (PDF §3: HTTPS over TLS 1.2)",
            operation="TLS 1.2",
        )
    kpb.findings.observations.append("TLS 1.2 accepted")
    # Newer is allowed (D17): reported, not required.
    newer = kpb.request("/test", minimum=ssl.TLSVersion.TLSv1_3)
    kpb.findings.observations.append(
        "TLS 1.3 offered" if newer.status is not None else f"TLS 1.3 not offered ({newer.error})"
    )


def test_tls_older_than_1_2_is_refused(kpb: ContractRun) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tls_1_1 = ssl.TLSVersion.TLSv1_1
    exchange = kpb.request("/test", minimum=tls_1_1, maximum=tls_1_1)
    if exchange.status is None and "NO_PROTOCOLS_AVAILABLE" in str(exchange.error):
        pytest.skip("this machine's OpenSSL cannot offer TLS 1.1, so its refusal is not testable")
    if exchange.status is not None:
        raise kpb.violation(
            exchange,
            check="tls_1_1_refused",
            expected="TLS 1.1 refused: HTTPS over TLS 1.2 or newer (PDF §3)",
            operation="TLS 1.1",
        )
    kpb.findings.observations.append(f"TLS 1.1 refused ({exchange.error})")


def test_unknown_route_gives_documented_404(kpb: ContractRun) -> None:
    # The PDF's service name, which is not its route (D2).
    path = "/MedicalCertificates"
    exchange = kpb.request(path, params=_CPR)
    prefix = next(m.text for m in documented_messages() if m.status == 404)
    if exchange.status != 404 or not (message(exchange) or "").startswith(prefix):
        raise kpb.violation(
            exchange,
            check="not_found_message",
            expected=f'404 {{"Message":"{prefix}…"}} (PDF §3.3)',
        )
    kpb.record(not_found_assumption(exchange, path))  # how it goes on is ASP.NET's (D12)


_SPELLINGS: dict[str, Callable[[str], tuple[str, tuple[tuple[str, str], ...]]]] = {
    "route in lower case": lambda route: (route.lower(), _CPR),
    "parameter in upper case": lambda route: (route, (("CPR", _CPR[0][1]),)),
}


@pytest.mark.parametrize("spelling", _SPELLINGS)
@pytest.mark.parametrize("path", SECURED_PATHS)
def test_names_are_case_insensitive(kpb: ContractRun, path: str, spelling: str) -> None:
    canonical = kpb.request(path, params=_CPR)
    route, params = _SPELLINGS[spelling](path)
    exchange = kpb.request(route, params=params)
    if exchange.status is None or exchange.status >= 500:
        raise kpb.violation(
            exchange, check="not_a_server_error", expected="an answer that is no server error"
        )
    subject = f"{spelling} ({route}?{params[0][0]}=…)"
    kpb.record(spelling_assumption(exchange, canonical, subject))


@pytest.mark.parametrize("path", SECURED_PATHS)
def test_other_methods_are_refused(kpb: ContractRun, path: str) -> None:
    exchange = kpb.request(path, params=_CPR, method="POST")
    # 501 Not Implemented is HTTP's word for an unknown method: not a server error here
    if exchange.status is None or (exchange.status >= 500 and exchange.status != 501):
        raise kpb.violation(
            exchange,
            check="not_a_server_error",
            expected="an answer that is no server error to a method the spec does not define",
            operation=f"POST {path}",
        )
    kpb.record(method_assumption(exchange, path))
