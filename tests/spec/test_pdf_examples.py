"""The PDF's JSON examples, with only their quotes repaired, fit the spec and the client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kpb_client.models import (
    ApplicationsResponse,
    ApplicationStatusCode,
    ExamStatusCode,
    MedicalCertificatesResponse,
    MedicalCertificateStatusCode,
)
from tests.support.validators import resolve, response_validator

PDF_EXAMPLES = Path(__file__).resolve().parents[2] / "spec" / "pdf-examples"
TYPOGRAPHIC_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})

CASES = [
    ("3.2.1.3-medical-certificates.txt", "/MedicalCertificate", MedicalCertificatesResponse),
    ("3.2.2.3-applications.txt", "/Application", ApplicationsResponse),
]


def repaired(name: str) -> Any:
    return json.loads(
        (PDF_EXAMPLES / name).read_text(encoding="utf-8").translate(TYPOGRAPHIC_QUOTES)
    )


def spec_example(path: str) -> Any:
    escaped = path.replace("/", "~1")
    return resolve(
        f"/paths/{escaped}/get/responses/200/content/application~1json/examples/pdfExample/value"
    )


def test_medical_certificate_example_is_invalid_json_as_printed() -> None:
    """DISCREPANCIES D1: the PDF's own text does not parse."""
    text = (PDF_EXAMPLES / CASES[0][0]).read_text(encoding="utf-8")
    assert "\u201c" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


@pytest.mark.parametrize(("name", "path", "model"), CASES)
def test_repaired_example_is_the_spec_example(name: str, path: str, model: Any) -> None:
    assert repaired(name) == spec_example(path)


@pytest.mark.parametrize(("name", "path", "model"), CASES)
def test_repaired_example_validates(name: str, path: str, model: Any) -> None:
    response_validator(path, 200).validate(repaired(name))


@pytest.mark.parametrize(("name", "path", "model"), CASES)
def test_generated_client_parses_and_round_trips(name: str, path: str, model: Any) -> None:
    body = repaired(name)
    parsed = model.from_dict(body)
    assert parsed.to_dict() == body


def test_medical_certificate_example_parses_to_documented_codes() -> None:
    parsed = MedicalCertificatesResponse.from_dict(repaired(CASES[0][0]))
    (certificate,) = parsed.medical_certificates
    assert certificate.status.code is MedicalCertificateStatusCode.GODKENDT
    assert certificate.expire_date == "2019-07-16T00:00:00"
    group = certificate.medical_certificate_groups[0]
    assert [c.code for c in group.license_categories][:3] == ["A1", "A", "E (B/E)"]


def test_application_example_keeps_undocumented_status_11() -> None:
    parsed = ApplicationsResponse.from_dict(repaired(CASES[1][0]))
    (application,) = parsed.applications
    assert application.application_status.code == 11
    assert not isinstance(application.application_status.code, ApplicationStatusCode)
    assert application.application_status.name == "Prøve bestilt"
    assert application.application_exams[0].exam_status.code is ExamStatusCode.BESTILT
    # seven fractional digits survive untouched
    assert application.application_events[0].created_date == "2018-02-09T11:54:36.9625113"
    assert application.comment_further_proccessing is None
