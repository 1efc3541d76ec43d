"""The Bilag B enums agree with the spec's x-kpb-codes and with the generated enums."""

from __future__ import annotations

import pickle
from enum import IntEnum

import pytest

from contract_tests._spec import load_spec
from kpb_client.models import (
    ApplicationEventType as GeneratedEventType,
)
from kpb_client.models import (
    ApplicationStatusCode,
    ExamStatusCode,
    MedicalCertificateStatusCode,
)
from kpb_ext import ApplicationEventType, ApplicationStatus, ExamStatus, MedicalCertificateStatus

PAIRS: list[tuple[type[IntEnum], type[IntEnum], str]] = [
    (MedicalCertificateStatus, MedicalCertificateStatusCode, "MedicalCertificateStatusCode"),
    (ApplicationStatus, ApplicationStatusCode, "ApplicationStatusCode"),
    (ExamStatus, ExamStatusCode, "ExamStatusCode"),
    (ApplicationEventType, GeneratedEventType, "ApplicationEventType"),
]


@pytest.mark.parametrize(("ours", "generated", "schema"), PAIRS)
def test_enums_match_the_spec_exactly(
    ours: type[IntEnum], generated: type[IntEnum], schema: str
) -> None:
    spec = load_spec()["components"]["schemas"][schema]
    from_spec = [
        (entry["code"], varname, entry["name"], entry.get("description", ""))
        for entry, varname in zip(spec["x-kpb-codes"], spec["x-enum-varnames"], strict=True)
    ]
    from_enum = [
        (m.value, m.name, m.label, m.description)  # type: ignore[attr-defined]
        for m in ours
    ]
    assert from_enum == from_spec
    assert [m.value for m in ours] == spec["enum"]


@pytest.mark.parametrize(("ours", "generated", "schema"), PAIRS)
def test_members_equal_the_generated_enums(
    ours: type[IntEnum], generated: type[IntEnum], schema: str
) -> None:
    assert [(m.name, m.value) for m in ours] == [(m.name, m.value) for m in generated]
    for member in generated:
        assert ours[member.name] == member
        assert hash(ours[member.name]) == hash(member)


def test_documented_code() -> None:
    status = ApplicationStatus.from_code(2, "Godkendt ansøgning")
    assert status is ApplicationStatus.GODKENDT_ANSOEGNING
    assert status.is_documented
    assert status.label == "Godkendt ansøgning"
    assert status.description == "Forløbet er blevet godkendt af borgerservice."
    assert ApplicationStatus.from_code(ApplicationStatusCode.AFBRUDT) is ApplicationStatus.AFBRUDT


def test_undocumented_code_is_kept_with_the_wire_name() -> None:
    status = ApplicationStatus.from_code(11, "Prøve bestilt")
    assert isinstance(status, ApplicationStatus)
    assert status.value == 11
    assert status == 11
    assert status.is_documented is False
    assert status.label == "Prøve bestilt"
    assert status.name == "UNDOCUMENTED_11"
    assert status not in list(ApplicationStatus)
    assert "UNDOCUMENTED_11" not in ApplicationStatus.__members__
    assert ApplicationStatus.from_code(11).label == "Kode 11"
    assert ExamStatus.from_code(-3, "Odd").name == "UNDOCUMENTED_MINUS_3"
    restored = pickle.loads(pickle.dumps(status))  # noqa: S301 - our own bytes
    assert (restored.value, restored.label, restored.is_documented) == (11, "Prøve bestilt", False)


def test_from_code_rejects_what_is_not_a_code() -> None:
    with pytest.raises(TypeError):
        ExamStatus.from_code("1")  # type: ignore[arg-type]


def test_duplicate_names_stay_distinct() -> None:
    # Bilag B names 35/36 and 41/42 alike (DISCREPANCIES.md D6).
    assert ApplicationEventType(35).label == ApplicationEventType(36).label
    assert ApplicationEventType(35) is not ApplicationEventType(36)
    assert ApplicationEventType(3).label == "Prøveforløb godkendt"
