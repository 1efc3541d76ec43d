"""The documented error answers (PDF §3.3), and what a server does with a bad ``cpr``,
which the PDF leaves open (D14: reported, never failed, unless the server errs)."""

from __future__ import annotations

import json

import pytest

from contract_tests._answers import SECURED_PATHS, message
from contract_tests._assumptions import bad_cpr_assumption
from contract_tests._messages import documented_messages
from contract_tests._openapi import TEST_CPRS
from contract_tests._run import ContractRun
from contract_tests._target import ErrorProbe
from contract_tests._transport import Exchange


def _json_message(text: str) -> str:
    return json.dumps({"Message": text}, ensure_ascii=False, separators=(",", ":"))


_MISSING_CPR = next(m.text for m in documented_messages() if m.status == 400)
_ONE, _OTHER = TEST_CPRS[0], TEST_CPRS[1]

#: A cpr that is not exactly one 10-digit number. The PDF does not say what it gets (D14).
INVALID_CPR: dict[str, tuple[tuple[str, str], ...]] = {
    "empty": (("cpr", ""),),
    "with hyphen": (("cpr", f"{_ONE[:6]}-{_ONE[6:]}"),),
    "9 digits": (("cpr", _ONE[:9]),),
    "11 digits": (("cpr", _ONE + "1"),),
    "letters": (("cpr", "abcdefghij"),),
    "leading space": (("cpr", " " + _ONE),),
    "repeated": (("cpr", _ONE), ("cpr", _ONE)),
    "repeated, two numbers": (("cpr", _ONE), ("cpr", _OTHER)),
    "repeated, other letter case": (("cpr", _ONE), ("CPR", _OTHER)),
}


@pytest.mark.parametrize("path", SECURED_PATHS)
def test_missing_cpr_gives_documented_400(kpb: ContractRun, path: str) -> None:
    exchange = kpb.request(path)
    if exchange.status != 400 or message(exchange) != _MISSING_CPR:
        raise kpb.violation(
            exchange,
            check="missing_cpr_message",
            expected=f"400 {_json_message(_MISSING_CPR)} without cpr (PDF §3.3, D11)",
        )


@pytest.mark.parametrize("params", INVALID_CPR.values(), ids=INVALID_CPR.keys())
@pytest.mark.parametrize("path", SECURED_PATHS)
def test_invalid_cpr(kpb: ContractRun, path: str, params: tuple[tuple[str, str], ...]) -> None:
    exchange = kpb.request(path, params=params)
    status = exchange.status
    if status is None or status >= 500 or (status >= 400 and message(exchange) is None):
        raise kpb.violation(
            exchange,
            check="invalid_cpr_answered",
            expected='an answer that is no server error, and an error body of {"Message"} '
            "JSON (PDF §3.3), for a cpr that is not one 10-digit number",
        )

    def reference(route: str, cpr: str) -> Exchange:
        return kpb.request(route, params=(("cpr", cpr),))

    kpb.record(bad_cpr_assumption(exchange, path, reference))


def test_certificate_problem_gives_documented_401(
    kpb: ContractRun, certificate_probe: tuple[ErrorProbe, str]
) -> None:
    probe, path = certificate_probe
    exchange = kpb.request(path, params=(("cpr", _ONE),), identity=probe.identity)
    if exchange.status != 401 or message(exchange) != probe.message:
        raise kpb.violation(
            exchange,
            check="certificate_message",
            expected=f"401 {_json_message(probe.message)} for {probe.identity.label} (PDF §3.3)",
        )
