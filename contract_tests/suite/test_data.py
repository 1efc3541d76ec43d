"""Bilag A's facts about the seven test persons. These are data checks: the test
environment's data can change, so their results are reported on their own and do not
decide whether the target conforms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contract_tests._answers import json_body
from contract_tests._bilag_a import (
    PERSONS,
    Person,
    application_mismatches,
    medical_certificate_mismatches,
)
from contract_tests._findings import DataCheckFailed, describe_answer
from contract_tests._run import ContractRun

Compare = Callable[[Person, Any], list[str]]

# route -> what it is called in reports, and how its answer is held against Bilag A
_SERVICES: dict[str, tuple[str, Compare]] = {
    "/MedicalCertificate": ("medical certificates", medical_certificate_mismatches),
    "/Application": ("applications", application_mismatches),
}


@pytest.mark.data_check
@pytest.mark.parametrize(
    ("person", "route"),
    [(person, route) for person in PERSONS for route in _SERVICES],
    ids=[
        f"{person.label} ({person.formatted_cpr}) {_SERVICES[route][0]}"
        for person in PERSONS
        for route in _SERVICES
    ],
)
def test_as_in_bilag_a(kpb: ContractRun, person: Person, route: str) -> None:
    exchange = kpb.request(route, params=(("cpr", person.cpr),))
    if exchange.status != 200:
        raise DataCheckFailed([f"no data: {describe_answer(exchange)}"])
    problems = _SERVICES[route][1](person, json_body(exchange))
    if problems:
        raise DataCheckFailed(problems)
