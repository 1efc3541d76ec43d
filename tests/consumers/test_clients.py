"""Java and TypeScript clients generated from the spec parse KPB's answers and call KPB.

Each client is generated from spec/kpb.openapi-3.0.yaml with the settings of
spec/generators/, compiled with the consumer program of spec/consumers/ (``javac``;
``tsc --strict``), and run: on the PDF's examples and the spec's, then against the
simulator over real mutual TLS, with the certificate from the simulator's PKCS#12 file.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kpb_sim import CertificateSet, Simulator
from tests.support.bilag_a import TEST_CPRS

from .build import ROOT, SPEC, JavaConsumer, NodeConsumer
from .conftest import lookup_args, raw_answer
from .expectations import report_problems

Consumer = JavaConsumer | NodeConsumer
PDF_EXAMPLES = ROOT / "spec" / "pdf-examples"
TYPOGRAPHIC_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})


def spec() -> Any:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def examples(kind: str) -> dict[str, Any]:
    """The spec's examples of one kind of answer, by name."""
    document = spec()
    if kind == "error":
        return {
            f"{response}-{name}": example["value"]
            for response, definition in document["components"]["responses"].items()
            for name, example in definition["content"]["application/json"]["examples"].items()
        }
    route = {"applications": "/Application", "medical-certificates": "/MedicalCertificate"}[kind]
    media = document["paths"][route]["get"]["responses"]["200"]["content"]["application/json"]
    found = {name: example["value"] for name, example in media["examples"].items()}
    pdf = {
        "applications": "3.2.2.3-applications",
        "medical-certificates": "3.2.1.3-medical-certificates",
    }
    text = (PDF_EXAMPLES / f"{pdf[kind]}.txt").read_text(encoding="utf-8")
    found["pdf-verbatim"] = json.loads(text.translate(TYPOGRAPHIC_QUOTES))  # D1's repair only
    if kind == "applications":
        # D3: the PDF's table types an event's Type as String; a string is kept as it came.
        as_text = copy.deepcopy(found["pdfExample"])
        as_text["Applications"][0]["ApplicationEvents"][0]["Type"] = "Prøveforløb oprettet"
        found["event-type-as-text"] = as_text
    return found


@pytest.mark.parametrize("kind", ["applications", "medical-certificates", "error"])
def test_parses_the_pdf_examples_and_the_specs(
    consumer: Consumer, kind: str, tmp_path: Path
) -> None:
    bodies = examples(kind)
    files = []
    for name, body in bodies.items():
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    lines = {line["source"].removesuffix(".json"): line for line in consumer("parse", kind, *files)}

    assert set(lines) == set(bodies)
    for name, body in bodies.items():
        if kind == "error":
            assert lines[name]["message"] == body["Message"]
            assert lines[name]["messageDetail"] == body.get("MessageDetail"), name
        else:
            assert report_problems(spec(), kind, lines[name], body) == [], name
    if kind == "applications":
        # The PDF's example: application status 11 is undocumented and stays a number.
        assert lines["pdfExample"]["codes"][:2] == [
            ["ApplicationStatus.Code", 11],
            ["ExamStatus.Code", "ExamStatusCode.BESTILT"],
        ]


def test_looks_up_the_seven_test_persons_over_mutual_tls(
    consumer: Consumer,
    kpb_sim: Simulator,
    kpb_sim_certs: CertificateSet,
    raw_client: httpx.Client,
) -> None:
    lines = consumer(*lookup_args(kpb_sim, kpb_sim_certs, TEST_CPRS))

    assert lines[0] == {"operation": "test", "body": ["Hello", "World"]}
    answers = [line for line in lines if "person" in line]
    assert [(line["person"], line["operation"]) for line in answers] == [
        (person, operation)
        for person in range(len(TEST_CPRS))
        for operation in ("applications", "medical-certificates")
    ]
    for line in answers:
        body = raw_answer(raw_client, kpb_sim, line["operation"], TEST_CPRS[line["person"]])
        problems = report_problems(spec(), line["operation"], line, body)
        assert problems == [], f"Elev {line['person'] + 1}, {line['operation']}: {problems}"

    by_person = {(line["person"], line["operation"]): line for line in answers}
    elev1 = by_person[0, "applications"]["codes"]
    # Application status 11 "Prøve bestilt" and 12 "Klar til bestilling" (B3) are kept as
    # numbers; 1 "Afventer behandling" is a member of the generated enum.
    statuses = [typed for field, typed in elev1 if field == "ApplicationStatus.Code"]
    assert statuses == [11, 12, "ApplicationStatusCode.AFVENTER_BEHANDLING"]
    # Elev 3, 4 and 6 have exams without a place (B6): null parses and stays null.
    for person in (2, 3, 5):
        locations = by_person[person, "applications"]["examLocations"]
        assert locations
        assert all(location is None for location in locations)

    not_found = lines[-1]
    assert (not_found["operation"], not_found["status"]) == ("not-found", 404)
    assert not_found["message"].startswith(
        "No HTTP resource was found that matches the request URI"
    )


def test_undocumented_exam_status_stays_a_number(
    consumer: Consumer,
    kpb_sim_factory: Any,
    kpb_sim_certs: CertificateSet,
    raw_client: httpx.Client,
) -> None:
    simulator = kpb_sim_factory("undocumented-code")
    elev3 = TEST_CPRS[2]

    lines = consumer(*lookup_args(simulator, kpb_sim_certs, (elev3,)))

    (applications,) = [line for line in lines if line.get("operation") == "applications"]
    exams = [typed for field, typed in applications["codes"] if field == "ExamStatus.Code"]
    assert exams == [77, 77]
    body = raw_answer(raw_client, simulator, "applications", elev3)
    assert report_problems(spec(), "applications", applications, body) == []
