"""Each drift mode changes exactly what its description says."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import pytest

from kpb_sim import DRIFT_MODES, DriftMode, Simulator, load_persons
from kpb_sim._drift import _with_offset

ELEV_1, ELEV_3, ELEV_7 = "0702614074", "0701614038", "0706614184"
PERSONS = load_persons()
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?$")


def _data(
    sim: Simulator, client: Any, service: str, cpr: str, cert: str | None = "registered"
) -> Any:
    answer = client.request(f"{sim.base_url}/{service}?cpr={cpr}", cert)
    assert answer.status == 200
    return answer.json()


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def test_the_list_of_modes() -> None:
    assert list(DRIFT_MODES) == [
        "missing-field",
        "wrong-type",
        "timestamp-format",
        "no-cert-required",
        "plain-http-served",
        "html-errors",
        "500-on-malformed-cpr",
        "undocumented-code",
        "added-field",
        "nulls",
        "message-detail",
        "first-cpr-wins",
        "text-json",
        "event-type-string",
    ]
    assert {n for n, m in DRIFT_MODES.items() if not m.breaking} == {
        "undocumented-code",
        "added-field",
        "nulls",
        "message-detail",
        "first-cpr-wins",
        "text-json",
        "event-type-string",
    }
    for name, mode in DRIFT_MODES.items():
        assert isinstance(mode, DriftMode)
        assert mode.name == name
        assert mode.description
        assert "\n" not in mode.description
    assert "77" in DRIFT_MODES["undocumented-code"].description


def test_an_unknown_mode_is_refused_with_the_list(kpb_sim_certs: Any) -> None:
    with pytest.raises(ValueError, match="missing-field, wrong-type"):
        Simulator(kpb_sim_certs, drift="missing")


def test_missing_field(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("missing-field")
    applications = _data(sim, client, "Application", ELEV_1)["Applications"]
    expected = [
        {k: v for k, v in a.items() if k != "ApplicationStatus"}
        for a in PERSONS[ELEV_1].applications
    ]
    assert applications == expected
    certificates = _data(sim, client, "MedicalCertificate", ELEV_1)["MedicalCertificates"]
    assert certificates == [
        {k: v for k, v in c.items() if k != "Status"} for c in PERSONS[ELEV_1].medical_certificates
    ]


def test_wrong_type(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("wrong-type")
    body = _data(sim, client, "Application", ELEV_3)
    faithful = {"Applications": PERSONS[ELEV_3].applications}
    codes = [o["Code"] for o in _walk(body) if "Code" in o]
    assert codes == [str(o["Code"]) for o in _walk(faithful) if "Code" in o]
    assert codes == ["11", "2", "1"]
    assert body["Applications"][0]["ApplicationEvents"][0]["Type"] == 1
    certificate = _data(sim, client, "MedicalCertificate", ELEV_3)["MedicalCertificates"][0]
    assert certificate["Status"] == {"Code": "2", "Name": "Godkendt"}


def test_timestamp_format(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("timestamp-format")
    application = _data(sim, client, "Application", ELEV_7)["Applications"][0]
    assert [e["CreatedDate"] for e in application["ApplicationEvents"]] == [
        e["CreatedDate"] + "+02:00" for e in PERSONS[ELEV_7].applications[0]["ApplicationEvents"]
    ]
    certificate = _data(sim, client, "MedicalCertificate", ELEV_7)["MedicalCertificates"][0]
    assert certificate["ExpireDate"] == "2019-08-09T00:00:00+02:00"
    exams = _data(sim, client, "Application", ELEV_3)["Applications"][0]["ApplicationExams"]
    assert [e["ExamDate"] for e in exams] == [
        "2018-05-25T11:00:00+02:00",
        "2018-05-31T00:00:00+02:00",
    ]
    # Danish winter time has another offset.
    assert _with_offset("2019-01-15T08:00:00.1234567") == "2019-01-15T08:00:00.1234567+01:00"


def test_no_cert_required(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("no-cert-required")
    for cert in (None, "unregistered", "expired", "application-only"):
        body = _data(sim, client, "MedicalCertificate", ELEV_1, cert)
        assert body == {"MedicalCertificates": PERSONS[ELEV_1].medical_certificates}
    # Everything else is as faithful.
    assert client.request(f"{sim.base_url}/Application", None).status == 400
    assert client.request(f"{sim.http_base_url}/test").status == 403


def test_plain_http_served(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("plain-http-served")
    hello = client.request(f"{sim.http_base_url}/test")
    assert (hello.status, hello.body) == (200, b'["Hello","World"]')
    data = client.request(f"{sim.http_base_url}/Application?cpr={ELEV_1}")
    assert (data.status, data.json()) == (401, {"Message": "Certificate required"})
    missing = client.request(f"{sim.http_base_url}/nothing")
    assert missing.json()["Message"].startswith(
        f"No HTTP resource was found that matches the request URI 'http://127.0.0.1:{sim.http_port}/"
    )
    assert _data(sim, client, "Application", ELEV_1)["Applications"]  # HTTPS unchanged


@pytest.mark.parametrize(
    ("target", "cert", "status", "message"),
    [
        ("/api/Application?cpr=0702614074", None, 401, "Certificate required"),
        ("/api/Application", "registered", 400, 'Parameter "cpr" mangler.'),
        ("/api/nothing", "registered", 404, "No HTTP resource was found"),
        ("/api/test", "registered", 405, "does not support http method 'POST'"),
    ],
)
def test_html_errors(
    kpb_sim_factory: Any, client: Any, target: str, cert: str | None, status: int, message: str
) -> None:
    sim = kpb_sim_factory("html-errors")
    method = "POST" if status == 405 else "GET"
    answer = client.request(f"https://127.0.0.1:{sim.port}{target}", cert, method=method)
    assert answer.status == status
    assert answer.content_type == "text/html; charset=utf-8"
    page = answer.body.decode()
    assert page.startswith("<!DOCTYPE html>")
    assert html.escape(message) in page
    assert int(answer.headers["Content-Length"]) == len(answer.body)
    https_required = client.request(f"{sim.http_base_url}/test")
    assert https_required.status == 403
    assert https_required.content_type.startswith("text/html")
    assert _data(sim, client, "Application", ELEV_1)  # 200 stays JSON


def test_500_on_malformed_cpr(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("500-on-malformed-cpr")
    for query in ("cpr=070261-4074", "cpr=12", f"cpr={ELEV_1}&cpr={ELEV_1}"):
        answer = client.request(f"{sim.base_url}/Application?{query}")
        assert (answer.status, answer.json()) == (500, {"Message": "An error has occurred."})
    missing = client.request(f"{sim.base_url}/Application?cpr=")
    assert (missing.status, missing.json()) == (400, {"Message": 'Parameter "cpr" mangler.'})
    assert _data(sim, client, "Application", ELEV_1)["Applications"]


def test_undocumented_code(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("undocumented-code")
    exams = _data(sim, client, "Application", ELEV_3)["Applications"][0]["ApplicationExams"]
    assert [e["ExamStatus"] for e in exams] == [{"Code": 77, "Name": "Prøve flyttet"}] * 2
    assert [e["ExamDate"] for e in exams] == [
        e["ExamDate"] for e in PERSONS[ELEV_3].applications[0]["ApplicationExams"]
    ]
    assert _data(sim, client, "Application", ELEV_7) == {
        "Applications": PERSONS[ELEV_7].applications
    }


def test_added_field(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("added-field")
    for service, member, attribute in (
        ("Application", "Applications", "applications"),
        ("MedicalCertificate", "MedicalCertificates", "medical_certificates"),
    ):
        records = _data(sim, client, service, ELEV_1)[member]
        references = [record.pop("CaseReference") for record in records]
        assert references == [f"KPB-2018-{n:06d}" for n in range(1, len(records) + 1)]
        assert records == getattr(PERSONS[ELEV_1], attribute)


@pytest.mark.parametrize("name", [n for n, m in DRIFT_MODES.items() if m.transform])
def test_a_transform_leaves_its_input_alone(name: str) -> None:
    person = load_persons()[ELEV_3]
    changes = 0
    for service, records in (
        ("Application", person.applications),
        ("MedicalCertificate", person.medical_certificates),
    ):
        before = copy.deepcopy(records)
        changes += DRIFT_MODES[name].apply(service, records) != before
        assert records == before
        assert all(TIMESTAMP.match(o["CreatedDate"]) for o in _walk(records) if "CreatedDate" in o)
    assert changes >= 1


def test_nulls(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("nulls")
    applications = _data(sim, client, "Application", ELEV_1)["Applications"]
    third = applications[2]  # B4: no exams and no history in Bilag A
    assert third["ApplicationExams"] is None
    assert third["ApplicationEvents"] is None
    events = [e for a in applications for e in a["ApplicationEvents"] or []]
    assert events
    assert all(event["User"] is None for event in events)
    assert all(a["ExamTypeName"] is None for a in applications)
    # what has a value keeps it
    assert all(event["Name"] and TIMESTAMP.match(event["CreatedDate"]) for event in events)
    assert applications[0]["ApplicationExams"][0]["ExamLocation"] == "Prøvested 1"


def test_message_detail(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("message-detail")
    answer = client.request(f"{sim.base_url}/MedicalCertificates?cpr={ELEV_1}", "registered")
    assert answer.status == 404
    body = answer.json()
    assert body["Message"].startswith("No HTTP resource was found that matches the request URI")
    assert body["MessageDetail"] == (
        "No type was found that matches the controller named 'MedicalCertificates'."
    )
    # the documented errors are as before
    missing = client.request(f"{sim.base_url}/Application", "registered")
    assert missing.json() == {"Message": 'Parameter "cpr" mangler.'}


def test_first_cpr_wins(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("first-cpr-wins")
    elev_2 = "0107529039"
    for query in (f"cpr={ELEV_1}&cpr={elev_2}", f"cpr={ELEV_1}&CPR={elev_2}"):
        answer = client.request(f"{sim.base_url}/Application?{query}", "registered")
        assert answer.status == 200
        assert answer.json() == {"Applications": PERSONS[ELEV_1].applications}
    # a malformed value is still refused
    bad = client.request(f"{sim.base_url}/Application?cpr=070261-4074", "registered")
    assert bad.status == 400


def test_event_type_string(kpb_sim_factory: Any, client: Any) -> None:
    sim = kpb_sim_factory("event-type-string")
    served = _data(sim, client, "Application", ELEV_3)["Applications"][0]["ApplicationEvents"]
    printed = PERSONS[ELEV_3].applications[0]["ApplicationEvents"]
    assert [e["Type"] for e in served] == [str(e["Type"]) for e in printed]
    assert [e["Name"] for e in served] == [e["Name"] for e in printed]
