"""Every response the simulator serves, checked against spec/kpb.openapi.yaml.

Each probe is a real request over loopback; its answer must have a status the spec
documents for that operation, a JSON body valid against the response schema (JSON Schema
2020-12, format checking on, `$ref`s resolved through the whole document), and respect
the spec's security rules (no data without a valid certificate; plain HTTP gets 403).
The faithful simulator must pass every probe; each breaking drift mode must fail at
least one; the non-breaking ones must pass, an undocumented code showing as a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from contract_tests._answers import JSON_MEDIA_TYPES
from contract_tests._spec import load_spec
from kpb_sim import DRIFT_MODES, Simulator, load_persons
from tests.support.validators import validator_for

SPEC: dict[str, Any] = load_spec()
PERSONS = load_persons()
ELEV_1 = "0702614074"

# Which certificate may call which secured service (the certificate set's registry).
ALLOWED = {"registered": {"MedicalCertificate", "Application"}, "application-only": {"Application"}}


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@cache
def validator(*pointer: str) -> Draft202012Validator:
    """A validator for the schema at ``pointer`` inside the spec."""
    return validator_for("/" + "/".join(_escape(p) for p in pointer))


@dataclass(frozen=True)
class Probe:
    label: str
    scheme: str
    target: str
    cert: str | None = "registered"
    method: str = "GET"

    def __str__(self) -> str:
        return self.label


def _probes() -> list[Probe]:
    probes = [
        Probe("test without certificate", "https", "/api/test", None),
        Probe("test with certificate", "https", "/api/test"),
        Probe("test over plain HTTP", "http", "/api/test", None),
        Probe("data over plain HTTP", "http", f"/api/Application?cpr={ELEV_1}", None),
        Probe("unknown path", "https", "/api/nothing"),
        Probe("plural route", "https", f"/api/MedicalCertificates?cpr={ELEV_1}"),
        Probe("root", "https", "/", None),
        Probe("POST", "https", "/api/Application", method="POST"),
        Probe("DELETE", "https", "/api/test", method="DELETE"),
        Probe(
            "application-only on Application",
            "https",
            f"/api/Application?cpr={ELEV_1}",
            "application-only",
        ),
        Probe(
            "application-only on MedicalCertificate",
            "https",
            f"/api/MedicalCertificate?cpr={ELEV_1}",
            "application-only",
        ),
    ]
    for service in ("MedicalCertificate", "Application"):
        for cpr, person in PERSONS.items():
            probes.append(Probe(f"{service} {person.label}", "https", f"/api/{service}?cpr={cpr}"))
        for label, query, cert in [
            ("no data", "cpr=0000000000", "registered"),
            ("no certificate", f"cpr={ELEV_1}", None),
            ("expired certificate", f"cpr={ELEV_1}", "expired"),
            ("unregistered certificate", f"cpr={ELEV_1}", "unregistered"),
            ("missing cpr", "", "registered"),
            ("empty cpr", "cpr=", "registered"),
            ("cpr with hyphen", "cpr=070261-4074", "registered"),
            ("cpr too short", "cpr=070261407", "registered"),
            ("cpr with letters", "cpr=07026140AB", "registered"),
            ("cpr repeated", f"cpr={ELEV_1}&CPR={ELEV_1}", "registered"),
            ("lower-case route", f"cpr={ELEV_1}", "registered"),
        ]:
            route = service.lower() if label == "lower-case route" else service
            probes.append(Probe(f"{service} {label}", "https", f"/api/{route}?{query}", cert))
    return probes


PROBES = _probes()


@dataclass
class Exchange:
    probe: Probe
    status: int
    content_type: str
    body: bytes


def exchange(sim: Simulator, client: Any, probe: Probe) -> Exchange:
    base = sim.base_url if probe.scheme == "https" else sim.http_base_url
    origin = base.removesuffix("/api")
    answer = client.request(origin + probe.target, probe.cert, method=probe.method)
    return Exchange(probe, answer.status, answer.content_type, answer.body)


def _operation(target: str) -> tuple[str | None, dict[str, Any] | None]:
    path = urlsplit(target).path.rstrip("/")
    if path.lower().startswith("/api/"):
        for spec_path, item in SPEC["paths"].items():
            if spec_path.lower() == path[4:].lower():
                return spec_path, item
    return None, None


def _response_pointer(spec_path: str | None, status: int) -> tuple[str, ...] | None:
    if spec_path is None:
        return ("components", "responses", "NotFound") if status == 404 else None
    response = SPEC["paths"][spec_path]["get"]["responses"].get(str(status))
    if response is None:
        return None
    if "$ref" in response:
        return tuple(response["$ref"].removeprefix("#/").split("/"))
    return ("paths", spec_path, "get", "responses", str(status))


def check(exchange: Exchange) -> list[str]:
    """Every way the exchange departs from the spec."""
    probe, status = exchange.probe, exchange.status
    problems = []
    spec_path, item = _operation(probe.target)
    if probe.scheme == "http" and status != 403:
        problems.append(f"plain HTTP answered {status}, not 403 HTTPS Required")
    if item is not None and probe.method == "GET" and item["get"].get("security", [{}]):
        service = spec_path.strip("/") if spec_path else ""
        if 200 <= status < 300 and service not in ALLOWED.get(probe.cert or "", set()):
            problems.append(f"secured {spec_path} answered {status} to certificate {probe.cert}")
    if item is not None and probe.method != "GET":
        # The spec defines GET only; other methods get ASP.NET's 405 (D19).
        schema_pointer: tuple[str, ...] = ("components", "schemas", "ErrorMessage")
        if status != 405:
            problems.append(f"{probe.method} answered {status}, not 405")
    else:
        pointer = _response_pointer(spec_path, status)
        if pointer is None:
            problems.append(f"status {status} is not documented for {spec_path or 'this URL'}")
            return problems
        schema_pointer = (*pointer, "content", "application/json", "schema")
    media_type = exchange.content_type.split(";")[0].strip()
    if media_type not in JSON_MEDIA_TYPES:  # text/json is Web API 2's JSON too (D24)
        problems.append(f"Content-Type {exchange.content_type!r} is not JSON")
        return problems
    try:
        body = json.loads(exchange.body)
    except ValueError as exc:
        return [*problems, f"body is not JSON: {exc}"]
    for found in validator(*schema_pointer).iter_errors(body):
        # Inside an anyOf (a nullable object, an open code), the branch that got furthest.
        error = best_match([found])
        location = "/".join(str(p) for p in error.absolute_path)
        problems.append(f"{location}: {error.message}")
    return problems


def undocumented_codes(body: Any) -> set[tuple[str, int]]:
    """Codes outside the documented sets: the contract's warnings (D4)."""
    schemas = SPEC["components"]["schemas"]

    def documented(schema: str, code: int) -> bool:
        return code in schemas[schema]["enum"]

    found = set()
    # Lists and status objects may be null (D22); an event type may be a string (D3).
    for certificate in body.get("MedicalCertificates") or []:
        if not documented("MedicalCertificateStatusCode", code := certificate["Status"]["Code"]):
            found.add(("MedicalCertificateStatus", code))
    for application in body.get("Applications") or []:
        if not documented(
            "ApplicationStatusCode", code := application["ApplicationStatus"]["Code"]
        ):
            found.add(("ApplicationStatus", code))
        for exam in application["ApplicationExams"] or []:
            if not documented("ExamStatusCode", code := exam["ExamStatus"]["Code"]):
                found.add(("ExamStatus", code))
        for event in application["ApplicationEvents"] or []:
            code = event["Type"]
            if isinstance(code, int) and not documented("ApplicationEventType", code):
                found.add(("ApplicationEventType", code))
    return found


def test_the_validator_checks_formats_and_follows_refs() -> None:
    guid = validator("components", "schemas", "Guid")
    assert guid.format_checker is not None
    assert not guid.is_valid("9ed081f0-a40d-4666-b7fe-15a1d6a5524")
    application = validator("components", "schemas", "Application")
    example = SPEC["paths"]["/Application"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]["pdfExample"]["value"]["Applications"][0]
    assert application.is_valid(example)
    broken = {**example, "ApplicationEvents": [{**example["ApplicationEvents"][0], "Type": None}]}
    assert not application.is_valid(broken)  # found only by following nested $refs


def test_the_probes_cover_every_person_and_every_error() -> None:
    labels = {p.label for p in PROBES}
    for service in ("MedicalCertificate", "Application"):
        assert {f"{service} {p.label}" for p in PERSONS.values()} <= labels
    assert len(PROBES) == len(labels)


@pytest.mark.parametrize("probe", PROBES, ids=str)
def test_every_faithful_response_conforms(kpb_sim: Simulator, client: Any, probe: Probe) -> None:
    answer = exchange(kpb_sim, client, probe)
    assert check(answer) == []


def test_faithful_warnings_are_the_codes_bilag_a_needs(kpb_sim: Simulator, client: Any) -> None:
    warnings = set()
    for probe in PROBES:
        answer = exchange(kpb_sim, client, probe)
        if answer.status == 200 and probe.target.startswith("/api/") and "cpr=" in probe.target:
            warnings |= undocumented_codes(json.loads(answer.body))
    assert warnings == {("ApplicationStatus", 11), ("ApplicationStatus", 12)}


# What each breaking mode must be caught for.
EXPECTED_VIOLATION = {
    "missing-field": "'ApplicationStatus' is a required property",
    "wrong-type": "Code: '2' is not valid under any of the given schemas",
    "timestamp-format": "'2018-05-25T10:11:16.376613+02:00' does not match",
    "no-cert-required": "secured /MedicalCertificate answered 200 to certificate None",
    "plain-http-served": "plain HTTP answered 200, not 403 HTTPS Required",
    "html-errors": "Content-Type 'text/html; charset=utf-8' is not JSON",
    "500-on-malformed-cpr": "status 500 is not documented for /Application",
}


def test_every_breaking_mode_has_an_expected_violation() -> None:
    assert set(EXPECTED_VIOLATION) == {n for n, m in DRIFT_MODES.items() if m.breaking}


@pytest.mark.parametrize("name", list(EXPECTED_VIOLATION))
def test_each_breaking_drift_mode_violates_the_spec(
    kpb_sim_factory: Any, client: Any, name: str
) -> None:
    sim = kpb_sim_factory(name)
    violations = [problem for probe in PROBES for problem in check(exchange(sim, client, probe))]
    assert any(EXPECTED_VIOLATION[name] in problem for problem in violations), violations


@pytest.mark.parametrize("name", [n for n, m in DRIFT_MODES.items() if not m.breaking])
def test_non_breaking_drift_modes_conform(kpb_sim_factory: Any, client: Any, name: str) -> None:
    sim = kpb_sim_factory(name)
    warnings = set()
    for probe in PROBES:
        answer = exchange(sim, client, probe)
        assert check(answer) == [], probe.label
        if answer.status == 200 and "cpr=" in probe.target:
            warnings |= undocumented_codes(json.loads(answer.body))
    new = warnings - {("ApplicationStatus", 11), ("ApplicationStatus", 12)}
    assert new == ({("ExamStatus", 77)} if name == "undocumented-code" else set())
