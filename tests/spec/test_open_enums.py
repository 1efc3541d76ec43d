"""Status and event codes are open: documented codes are enums, others are kept as they came."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest

from contract_tests._spec import load_spec
from kpb_client.models import (
    ApplicationEvent,
    ApplicationEventType,
    ApplicationStatus,
    ApplicationStatusCode,
    ExamStatus,
    ExamStatusCode,
    MedicalCertificateStatus,
    MedicalCertificateStatusCode,
)
from tests.support.validators import schema_validator

# (schema, generated enum, model holding the code, wire field, documented codes)
CODE_SETS: list[tuple[str, type[IntEnum], Any, str, list[int]]] = [
    (
        "MedicalCertificateStatusCode",
        MedicalCertificateStatusCode,
        MedicalCertificateStatus,
        "Code",
        list(range(6)),
    ),
    ("ApplicationStatusCode", ApplicationStatusCode, ApplicationStatus, "Code", list(range(1, 8))),
    ("ExamStatusCode", ExamStatusCode, ExamStatus, "Code", list(range(12))),
    ("ApplicationEventType", ApplicationEventType, ApplicationEvent, "Type", list(range(51))),
]


def attribute(field: str) -> str:
    return {"Code": "code", "Type": "type_"}[field]


def wire(model: Any, field: str, code: int) -> dict[str, Any]:
    if model is ApplicationEvent:
        return {
            "Type": code,
            "Name": "x",
            "User": "u",
            "CreatedDate": "2018-05-25T10:06:46.5471929",
        }
    return {field: code, "Name": "x"}


@pytest.mark.parametrize(("schema", "enum", "model", "field", "codes"), CODE_SETS)
def test_code_set_is_bilag_b(
    schema: str, enum: type[IntEnum], model: Any, field: str, codes: list[int]
) -> None:
    definition = load_spec()["components"]["schemas"][schema]
    assert definition["enum"] == codes
    assert [entry["code"] for entry in definition["x-kpb-codes"]] == codes
    assert all(entry["name"] for entry in definition["x-kpb-codes"])
    assert (
        len(definition["x-enum-varnames"]) == len(codes) == len(set(definition["x-enum-varnames"]))
    )
    assert definition["x-enum-descriptions"] == [
        entry["name"] for entry in definition["x-kpb-codes"]
    ]
    assert [member.value for member in enum] == codes
    assert [member.name for member in enum] == definition["x-enum-varnames"]


@pytest.mark.parametrize(("schema", "enum", "model", "field", "codes"), CODE_SETS)
def test_documented_code_parses_to_member(
    schema: str, enum: type[IntEnum], model: Any, field: str, codes: list[int]
) -> None:
    for code in codes:
        parsed = model.from_dict(wire(model, field, code))
        value = getattr(parsed, attribute(field))
        assert isinstance(value, enum)
        assert parsed.to_dict()[field] == code


UNDOCUMENTED = [
    pytest.param(*case, code, id=f"{case[0]}-{code}")
    for case in CODE_SETS
    for code in (-1, 11, 12, 51, 99, 2**31 - 1)
    if code not in case[4]
]


@pytest.mark.parametrize(
    ("schema", "enum", "model", "field", "codes", "undocumented"), UNDOCUMENTED
)
def test_undocumented_code_is_kept_and_round_trips(
    schema: str, enum: type[IntEnum], model: Any, field: str, codes: list[int], undocumented: int
) -> None:
    body = wire(model, field, undocumented)
    schema_validator(model.__name__).validate(body)
    parsed = model.from_dict(body)
    value = getattr(parsed, attribute(field))
    assert value == undocumented
    assert not isinstance(value, enum)
    assert parsed.to_dict() == body


def test_event_code_3_is_approval() -> None:
    """DISCREPANCIES D6: Bilag B names 3 and 4 alike; the PDF's example sends 3 as approval."""
    entry = load_spec()["components"]["schemas"]["ApplicationEventType"]["x-kpb-codes"][3]
    assert entry["name"] == "Prøveforløb godkendt"
    assert "afvist" in entry["note"]
    assert ApplicationEventType(3) is ApplicationEventType.PROEVEFORLOEB_GODKENDT
