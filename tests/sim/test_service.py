"""What the simulator answers, as PDF §3.2 and §3.3 and DISCREPANCIES.md say, over real
mutual-TLS connections on loopback."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from kpb_sim import CertificateSet, Simulator, load_persons
from kpb_sim._certificates import issue_client_certificate

ELEV_1 = "0702614074"
PERSONS = load_persons()


def _message(message: str) -> dict[str, str]:
    return {"Message": message}


def test_test_service_needs_no_certificate(kpb_sim: Simulator, client: Any) -> None:
    for cert in (None, "registered", "unregistered", "expired"):
        answer = client.request(f"{kpb_sim.base_url}/test", cert)
        assert answer.status == 200
        assert answer.body == b'["Hello","World"]'
        assert answer.content_type == "application/json; charset=utf-8"
        assert answer.headers["Content-Length"] == str(len(answer.body))


@pytest.mark.parametrize("cpr", list(PERSONS))
@pytest.mark.parametrize(
    ("service", "member", "attribute"),
    [
        ("MedicalCertificate", "MedicalCertificates", "medical_certificates"),
        ("Application", "Applications", "applications"),
    ],
)
def test_every_person_on_both_services(
    kpb_sim: Simulator, client: Any, cpr: str, service: str, member: str, attribute: str
) -> None:
    answer = client.request(f"{kpb_sim.base_url}/{service}?cpr={cpr}")
    assert answer.status == 200
    assert answer.json() == {member: getattr(PERSONS[cpr], attribute)}


def test_body_is_compact_utf8_as_json_net_writes_it(kpb_sim: Simulator, client: Any) -> None:
    body = client.request(f"{kpb_sim.base_url}/Application?cpr={ELEV_1}").body
    assert body.startswith(b'{"Applications":[{"Id":"4f12c939-36ad-40b7-9e5b-1a9f3cf28c31",')
    assert "Kørelærer 1, Køreskole 1".encode() in body
    assert b"\\u00f8" not in body


@pytest.mark.parametrize("cpr", ["0000000000", "1212700000", "0702614075"])
def test_a_well_formed_cpr_without_data_gives_empty_lists(
    kpb_sim: Simulator, client: Any, cpr: str
) -> None:
    medical = client.request(f"{kpb_sim.base_url}/MedicalCertificate?cpr={cpr}")
    applications = client.request(f"{kpb_sim.base_url}/Application?cpr={cpr}")
    assert (medical.status, medical.body) == (200, b'{"MedicalCertificates":[]}')
    assert (applications.status, applications.body) == (200, b'{"Applications":[]}')


def test_elev_5_has_no_medical_certificate(kpb_sim: Simulator, client: Any) -> None:
    answer = client.request(f"{kpb_sim.base_url}/MedicalCertificate?cpr=0707614293")
    assert answer.json() == {"MedicalCertificates": []}


@pytest.mark.parametrize(
    ("cert", "service", "message"),
    [
        (None, "MedicalCertificate", "Certificate required"),
        (None, "Application", "Certificate required"),
        ("expired", "MedicalCertificate", "Certificate not verified"),
        ("expired", "Application", "Certificate not verified"),
        ("unregistered", "MedicalCertificate", "Certificate doesn't exist"),
        ("unregistered", "Application", "Certificate doesn't exist"),
        ("application-only", "MedicalCertificate", "Access not allowed for Certificate"),
    ],
)
def test_the_four_401_messages(
    kpb_sim: Simulator, client: Any, cert: str | None, service: str, message: str
) -> None:
    answer = client.request(f"{kpb_sim.base_url}/{service}?cpr={ELEV_1}", cert)
    assert answer.status == 401
    assert answer.json() == _message(message)


def test_application_only_certificate_reaches_applications(kpb_sim: Simulator, client: Any) -> None:
    answer = client.request(f"{kpb_sim.base_url}/Application?cpr={ELEV_1}", "application-only")
    assert answer.status == 200
    assert len(answer.json()["Applications"]) == 3


def test_a_certificate_not_yet_valid_is_not_verified(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, client: Any, tmp_path: Path
) -> None:
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    future = issue_client_certificate(
        kpb_sim_certs, tmp_path, "future", not_before=start, not_after=start + dt.timedelta(days=9)
    )
    answer = client.request(f"{kpb_sim.base_url}/Application?cpr={ELEV_1}", future)
    assert answer.status == 401
    assert answer.json() == _message("Certificate not verified")


def test_certificate_is_checked_before_parameters(kpb_sim: Simulator, client: Any) -> None:
    for cert, message in [
        (None, "Certificate required"),
        ("unregistered", "Certificate doesn't exist"),
    ]:
        for query in ("", "?cpr=", "?cpr=12"):
            answer = client.request(f"{kpb_sim.base_url}/Application{query}", cert)
            assert (answer.status, answer.json()) == (401, _message(message))


@pytest.mark.parametrize(
    "query",
    ["", "?", "?cpr", "?cpr=", "?CPR=", "?other=0702614074", "?cpr_=0702614074"],
)
@pytest.mark.parametrize("service", ["MedicalCertificate", "Application"])
def test_missing_or_empty_cpr(kpb_sim: Simulator, client: Any, service: str, query: str) -> None:
    answer = client.request(f"{kpb_sim.base_url}/{service}{query}")
    assert answer.status == 400
    assert answer.body == b'{"Message":"Parameter \\"cpr\\" mangler."}'


@pytest.mark.parametrize(
    "value",
    [
        "070261-4074",
        "070261407",
        "07026140744",
        "07026140AB",
        "0702614074%20",
        "%200702614074",
        "+0702614074",
        "%D9%A0%D9%A7%D9%A0%D9%A2%D9%A6%D9%A1%D9%A4%D9%A0%D9%A7%D9%A4",  # Arabic-Indic digits
        "0702614074&cpr=0702614074",
        "0702614074&CPR=0107529039",
        "&cpr=",
    ],
)
@pytest.mark.parametrize("service", ["MedicalCertificate", "Application"])
def test_malformed_or_repeated_cpr(
    kpb_sim: Simulator, client: Any, service: str, value: str
) -> None:
    answer = client.request(f"{kpb_sim.base_url}/{service}?cpr={value}")
    assert answer.status == 400
    assert answer.body == b'{"Message":"Parameter \\"cpr\\" er ugyldig."}'


@pytest.mark.parametrize(
    "target",
    [
        "/api/application?cpr=0702614074",
        "/API/APPLICATION?CPR=0702614074",
        "/Api/Application/?Cpr=0702614074",
        "/api/Applic%61tion?cpr=0702614074",
        "/api/Application?foo=1&cPr=0702614074",
    ],
)
def test_routes_and_parameters_ignore_case(kpb_sim: Simulator, client: Any, target: str) -> None:
    answer = client.request(f"https://127.0.0.1:{kpb_sim.port}{target}")
    assert answer.status == 200
    assert answer.json() == {"Applications": PERSONS[ELEV_1].applications}


def test_test_route_ignores_case(kpb_sim: Simulator, client: Any) -> None:
    assert client.request(f"https://127.0.0.1:{kpb_sim.port}/API/TEST/", None).json() == [
        "Hello",
        "World",
    ]


@pytest.mark.parametrize(
    "target",
    [
        "/api/MedicalCertificates?cpr=0702614074",
        "/api/Applications",
        "/api",
        "/",
        "/test",
        "/api/test/extra",
        "/Application?cpr=0702614074",
    ],
)
def test_unknown_path_quotes_the_full_request_uri(
    kpb_sim: Simulator, client: Any, target: str
) -> None:
    for cert in ("registered", None):
        answer = client.request(f"https://127.0.0.1:{kpb_sim.port}{target}", cert)
        assert answer.status == 404
        uri = f"https://127.0.0.1:{kpb_sim.port}{target}"
        assert answer.json() == _message(
            f"No HTTP resource was found that matches the request URI '{uri}'."
        )


def test_404_quotes_the_host_as_the_client_sent_it(kpb_sim: Simulator, client: Any) -> None:
    connection = client.connect(kpb_sim.base_url)
    try:
        connection.putrequest("GET", "/api/nothing?x=1", skip_host=True)
        connection.putheader("Host", "localhost:1234")
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 404
        assert json.loads(response.read()) == _message(
            "No HTTP resource was found that matches the request URI "
            "'https://localhost:1234/api/nothing?x=1'."
        )
    finally:
        connection.close()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"])
@pytest.mark.parametrize("route", ["test", "MedicalCertificate", "application"])
def test_other_methods_are_not_allowed(
    kpb_sim: Simulator, client: Any, method: str, route: str
) -> None:
    answer = client.request(
        f"{kpb_sim.base_url}/{route}?cpr={ELEV_1}", None, method=method, body=b"{}"
    )
    assert answer.status == 405
    assert answer.headers["Allow"] == "GET"
    assert answer.json() == _message(
        f"The requested resource does not support http method '{method}'."
    )


def test_head_gets_405_headers_without_a_body(kpb_sim: Simulator, client: Any) -> None:
    connection = client.connect(kpb_sim.base_url)
    try:
        answer = client.request(f"{kpb_sim.base_url}/test", method="HEAD", connection=connection)
        assert answer.status == 405
        assert answer.body == b""
        assert int(answer.headers["Content-Length"]) > 0
        # The connection is still in step: the next answer is read correctly.
        follow = client.request(f"{kpb_sim.base_url}/test", connection=connection)
        assert follow.body == b'["Hello","World"]'
    finally:
        connection.close()


def test_post_to_an_unknown_path_is_404(kpb_sim: Simulator, client: Any) -> None:
    answer = client.request(f"{kpb_sim.base_url}/nothing", method="POST", body=b"x")
    assert answer.status == 404


def test_an_unexpected_error_answers_500_and_the_server_lives_on(
    kpb_sim_factory: Any, client: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    sim = kpb_sim_factory()
    service = sim._service
    respond = service.respond

    def fail_for_elev_1(request: Any) -> Any:
        if ELEV_1 in request.target:
            raise RuntimeError("fault injected by the test")
        return respond(request)

    monkeypatch.setattr(service, "respond", fail_for_elev_1)
    caplog.set_level(logging.ERROR, logger="kpb_sim")
    connection = client.connect(sim.base_url)
    try:
        failed = client.request(f"{sim.base_url}/Application?cpr={ELEV_1}", connection=connection)
        assert failed.status == 500
        assert failed.json() == _message("An error has occurred.")
        after = client.request(f"{sim.base_url}/Application?cpr=0107529039", connection=connection)
        assert after.status == 200
    finally:
        connection.close()
    assert "fault injected by the test" in caplog.text
    assert "070261****" in caplog.text
    assert ELEV_1 not in caplog.text


def test_request_log_masks_the_cpr(kpb_sim: Simulator, client: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="kpb_sim")
    client.request(f"{kpb_sim.base_url}/Application?cpr={ELEV_1}")
    client.request(f"{kpb_sim.base_url}/Application?CPR=070261-4074")
    client.request(f"{kpb_sim.base_url}/Application?%63pr=07026%314074")
    client.request(f"{kpb_sim.base_url}/nothing/{ELEV_1}?x={ELEV_1}")
    assert caplog.text.count("****") == 5
    for leaked in (ELEV_1, "070261-4074", "07026%314074", "4074"):
        assert leaked not in caplog.text
