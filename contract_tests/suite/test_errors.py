"""The documented error answers (PDF §3.3), and what a server does with a bad ``cpr``,
which the PDF leaves open (D14: reported, never failed, unless the server errs)."""

from __future__ import annotations

import json

import pytest

from contract_tests._answers import SECURED_PATHS, json_body, message
from contract_tests._findings import describe_answer
from contract_tests._messages import documented_messages
from contract_tests._openapi import TEST_CPRS
from contract_tests._run import ContractRun
from contract_tests._target import ErrorProbe
from contract_tests._transport import Exchange


def _json_message(text: str) -> str:
    return json.dumps({"Message": text}, ensure_ascii=False, separators=(",", ":"))


_MISSING_CPR = next(m.text for m in documented_messages() if m.status == 400)
# D14's guesses: the text of the 400 for a malformed cpr is this project's.
_INVALID_CPR = 'Parameter "cpr" er ugyldig.'
_ONE, _OTHER = TEST_CPRS[0], TEST_CPRS[1]

#: A cpr that is not exactly one 10-digit number, and what D14 assumes it gets.
INVALID_CPR: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "an empty cpr": ((("cpr", ""),), _MISSING_CPR),
    "a cpr with a hyphen": ((("cpr", f"{_ONE[:6]}-{_ONE[6:]}"),), _INVALID_CPR),
    "a cpr of 9 digits": ((("cpr", _ONE[:9]),), _INVALID_CPR),
    "a cpr of 11 digits": ((("cpr", _ONE + "1"),), _INVALID_CPR),
    "a cpr of letters": ((("cpr", "abcdefghij"),), _INVALID_CPR),
    "a cpr with a leading space": ((("cpr", " " + _ONE),), _INVALID_CPR),
    "a repeated cpr": ((("cpr", _ONE), ("cpr", _ONE)), _INVALID_CPR),
    "a repeated cpr, two numbers": ((("cpr", _ONE), ("cpr", _OTHER)), _INVALID_CPR),
    "a repeated cpr, other letter case": ((("cpr", _ONE), ("CPR", _OTHER)), _INVALID_CPR),
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


@pytest.mark.parametrize("case", INVALID_CPR.keys())
@pytest.mark.parametrize("path", SECURED_PATHS)
def test_invalid_cpr(kpb: ContractRun, path: str, case: str) -> None:
    params, text = INVALID_CPR[case]
    exchange = kpb.request(path, params=params)
    status = exchange.status
    if status is None or status >= 500 or (status >= 400 and message(exchange) is None):
        raise kpb.violation(
            exchange,
            check="invalid_cpr_answered",
            expected='an answer that is no server error, and an error body of {"Message"} '
            "JSON (PDF §3.3), for a cpr that is not one 10-digit number",
        )
    assumed = f"400 {_json_message(text)}"
    kpb.assume(
        "D14",
        f"{case} ({'&'.join(f'{k}={v}' for k, v in params)})",
        assumed=assumed,
        observed=_what_it_answered(kpb, path, params, exchange),
        confirmed=status == 400 and message(exchange) == text,
        exchange=exchange,
    )


def _what_it_answered(
    kpb: ContractRun, path: str, params: tuple[tuple[str, str], ...], exchange: Exchange
) -> str:
    """The answer, and for data, whose data it was (Web API 2 binds the first value)."""
    answer = describe_answer(exchange, limit=100)
    if exchange.status != 200:
        return answer
    body = json_body(exchange)
    values = list(dict.fromkeys(value for _, value in params))
    for position, value in enumerate(values):
        if value.isdigit() and len(value) == 10:
            reference = kpb.request(path, params=(("cpr", value),))
            if reference.status == 200 and json_body(reference) == body:
                which = ("the first", "the second")[position] if len(params) > 1 else "that"
                return f"200 with the data of {which} value (cpr={value})"
    if isinstance(body, dict) and all(v in ([], None) for v in body.values()):
        return "200 with no data"
    return answer


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
