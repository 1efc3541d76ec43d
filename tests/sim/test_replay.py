"""`kpb sim serve --replay FILE.har`: recorded answers served again, over real mutual TLS,
behind the simulator's own certificate checks, and recordings of real people refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from contract_tests import given_certificate
from kpb_cli._sim import sim
from kpb_sim import CertificateSet, Replay, ReplayError, Simulator, load_persons
from kpb_sim._replay import GIVEN_CERTIFICATE, request_key
from kpb_sim.pytest_plugin import SimulatorFactory

ELEV_1, ELEV_2 = "0702614074", "0107529039"
#: Shaped like a CPR number (a real date), but not one of the seven test numbers.
OTHER = "1505809876"
RECORDED = b'{"Applications":[{"Recorded":true,"Navn":"Pr\xc3\xb8ve"}]}'

Entry = dict[str, Any]


def entry(
    url: str,
    status: int = 200,
    body: bytes = RECORDED,
    *,
    method: str = "GET",
    client: str | None = GIVEN_CERTIFICATE,
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json; charset=utf-8"),),
    reason: str = "OK",
    base64_body: bool = False,
) -> Entry:
    """One HAR entry, as kpb contract's recording writes it."""
    content: dict[str, Any] = {"size": len(body), "mimeType": dict(headers).get("Content-Type")}
    if body:
        content["text"] = base64.b64encode(body).decode() if base64_body else body.decode()
        if base64_body:
            content["encoding"] = "base64"
    recorded: Entry = {
        "startedDateTime": "2026-01-05T10:00:00+00:00",
        "time": 12.5,
        "request": {"method": method, "url": url, "headers": [], "queryString": []},
        "response": {
            "status": status,
            "statusText": reason,
            "headers": [{"name": k, "value": v} for k, v in headers],
            "content": content,
        },
    }
    if client is not None:
        recorded["comment"] = f"client: {client}; check: test_something"
    return recorded


def write_har(path: Path, *entries: Entry) -> Path:
    path.write_text(
        json.dumps({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}}),
        encoding="utf-8",
    )
    return path


KPB = "https://service-kpbt2.knowledgecube.net/api"

Replaying = Callable[..., Simulator]


@pytest.fixture
def replaying(kpb_sim_factory: SimulatorFactory, tmp_path: Path) -> Any:
    """``replaying(*entries, miss=..., drift=...)``: a started simulator replaying them."""
    recordings = iter(range(100))

    def start(*entries: Entry, miss: Any = "fallback", drift: str | None = None) -> Simulator:
        har = write_har(tmp_path / f"recording-{next(recordings)}.har", *entries)
        return kpb_sim_factory(drift, replay=Replay.load([har], miss=miss))

    return start


def test_the_certificate_under_test_is_named_as_kpb_contract_names_it(
    kpb_sim_certs: CertificateSet,
) -> None:
    registered = kpb_sim_certs.client("registered")
    identity = given_certificate(
        cert=registered.cert, key=registered.key, ca_bundle=kpb_sim_certs.ca_cert
    )
    assert identity.label == GIVEN_CERTIFICATE


def test_keys_match_as_asp_net_routes_and_parameters(tmp_path: Path) -> None:
    recorded = request_key("GET", "/api/Application?cpr=0702614074&Extra=Ab")
    for same in (
        "/api/application?CPR=0702614074&extra=Ab",
        "/API/APPLICATION/?extra=Ab&cpr=0702614074",
        "/api/%41pplication?cpr=0702614074&extra=Ab",
        "https://elsewhere:1234/api/Application?cpr=0702614074&extra=Ab",
    ):
        assert request_key("GET", same) == recorded, same
    for different in (
        "/api/Application?cpr=0702614074&extra=ab",  # values as they are
        "/api/Application?cpr=0702614074",
        "/api/MedicalCertificate?cpr=0702614074&extra=Ab",
    ):
        assert request_key("GET", different) != recorded, different
    assert request_key("HEAD", "/api/Application?cpr=0702614074&Extra=Ab") != recorded


def test_a_recorded_answer_is_served_byte_for_byte(replaying: Replaying, client: Any) -> None:
    body = b'{"Message":"Pr\xc3\xb8v igen","MessageDetail":"Vedligehold"}'
    simulator = replaying(
        entry(
            f"{KPB}/Application?cpr={ELEV_1}",
            503,
            body,
            headers=(
                ("Content-Type", "application/json; charset=utf-8"),
                ("Retry-After", "120"),
                ("Server", "Microsoft-IIS/10.0"),
                ("Content-Length", "999"),
                ("Content-Encoding", "gzip"),
                ("Set-Cookie", "session=1"),
                ("X-Injected", "a\r\nEvil: yes"),
            ),
            reason="Service Unavailable",
        ),
        entry(
            f"{KPB}/MedicalCertificate?cpr={ELEV_1}",
            520,
            b"\x00\xffnot text",
            headers=(("Content-Type", "application/octet-stream"),),
            reason="Origin Error",
            base64_body=True,
        ),
    )
    answer = client.request(f"{simulator.base_url}/application?CPR={ELEV_1}")
    assert answer.status == 503
    assert answer.body == body
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["Retry-After"] == "120"
    assert answer.headers["Server"] == "Microsoft-IIS/10.0"
    assert answer.headers["Content-Length"] == str(len(body))
    for framing in ("Content-Encoding", "Set-Cookie", "X-Injected", "Evil"):
        assert framing not in answer.headers
    other = client.request(f"{simulator.base_url}/MedicalCertificate?cpr={ELEV_1}")
    assert (other.status, other.body) == (520, b"\x00\xffnot text")
    assert simulator.replay is not None
    assert (simulator.replay.served, simulator.replay.missed) == (2, 0)


@pytest.mark.parametrize(
    ("cert", "service", "message"),
    [
        (None, "Application", "Certificate required"),
        ("expired", "Application", "Certificate not verified"),
        ("unregistered", "MedicalCertificate", "Certificate doesn't exist"),
        ("application-only", "MedicalCertificate", "Access not allowed for Certificate"),
    ],
)
def test_the_simulator_s_certificate_checks_stand(
    replaying: Replaying, client: Any, cert: str | None, service: str, message: str
) -> None:
    simulator = replaying(entry(f"{KPB}/{service}?cpr={ELEV_1}"))
    answer = client.request(f"{simulator.base_url}/{service}?cpr={ELEV_1}", cert)
    assert answer.status == 401
    assert answer.json() == {"Message": message}
    # The same request with the registered certificate gets the recording.
    assert client.request(f"{simulator.base_url}/{service}?cpr={ELEV_1}").body == RECORDED


def test_plain_http_stays_refused(replaying: Replaying, client: Any) -> None:
    simulator = replaying(
        entry(f"{KPB}/Application?cpr={ELEV_1}"),
        entry(f"{KPB.replace('https', 'http')}/Application?cpr={ELEV_1}", body=b"plain"),
    )
    answer = client.request(f"{simulator.http_base_url}/Application?cpr={ELEV_1}", None)
    assert answer.status == 403
    assert answer.json() == {"Message": "HTTPS Required"}


def test_only_the_certificate_under_test_is_replayed(replaying: Replaying, client: Any) -> None:
    # Recorded against a server that served data without a certificate (no-cert-required):
    # that answer belongs to "no certificate", and is not served to anyone.
    simulator = replaying(
        entry(f"{KPB}/Application?cpr={ELEV_1}", client="no certificate"),
        entry(f"{KPB}/Application?cpr={ELEV_2}", client="the simulator's expired certificate"),
        entry(f"{KPB}/MedicalCertificate?cpr={ELEV_1}", client=None),  # another tool's HAR
    )
    persons = load_persons()
    for cpr in (ELEV_1, ELEV_2):
        answer = client.request(f"{simulator.base_url}/Application?cpr={cpr}")
        assert answer.json() == {"Applications": persons[cpr].applications}
    assert client.request(f"{simulator.base_url}/Application?cpr={ELEV_1}", None).status == 401
    assert client.request(f"{simulator.base_url}/MedicalCertificate?cpr={ELEV_1}").body == RECORDED
    assert simulator.replay is not None
    assert simulator.replay.left_out == {"of other clients": 2}


def test_on_an_unknown_path_only_a_recorded_error_is_served(
    replaying: Replaying, client: Any
) -> None:
    not_found = b'{"Message":"No HTTP resource was found that matches the request URI \'x\'."}'
    simulator = replaying(
        entry(f"{KPB}/MedicalCertificates?cpr={ELEV_1}", 404, not_found, reason="Not Found"),
        entry(f"{KPB}/Persons?cpr={ELEV_1}", 200, b'{"Secret":"data"}'),
    )
    assert client.request(f"{simulator.base_url}/MedicalCertificates?cpr={ELEV_1}").body == (
        not_found
    )
    for cert in ("registered", None):
        answer = client.request(f"{simulator.base_url}/Persons?cpr={ELEV_1}", cert)
        assert answer.status == 404
        assert b"Secret" not in answer.body


def test_an_unrecorded_request_falls_back_to_bilag_a(replaying: Replaying, client: Any) -> None:
    simulator = replaying(entry(f"{KPB}/Application?cpr={ELEV_1}"))
    answer = client.request(f"{simulator.base_url}/Application?cpr={ELEV_2}")
    assert answer.json() == {"Applications": load_persons()[ELEV_2].applications}
    missing = client.request(f"{simulator.base_url}/Application")
    assert missing.json() == {"Message": 'Parameter "cpr" mangler.'}
    assert simulator.replay is not None
    assert (simulator.replay.served, simulator.replay.missed) == (0, 2)


def test_replay_miss_404_names_the_miss_with_the_cpr_masked(
    replaying: Replaying, client: Any
) -> None:
    simulator = replaying(entry(f"{KPB}/Application?cpr={ELEV_1}"), miss="404")
    answer = client.request(f"{simulator.base_url}/Application?cpr={ELEV_2}&x=1")
    assert answer.status == 404
    assert answer.json() == {
        "Message": "No answer was recorded for GET /api/Application?cpr=010752****&x=1."
    }
    assert ELEV_2 not in answer.body.decode()
    assert client.request(f"{simulator.base_url}/Application?cpr={ELEV_1}").body == RECORDED
    # The certificate checks come first, also for a miss.
    assert client.request(f"{simulator.base_url}/Application?cpr={ELEV_2}", None).status == 401


def test_drift_changes_the_fallback_not_the_recording(replaying: Replaying, client: Any) -> None:
    simulator = replaying(entry(f"{KPB}/Application?cpr={ELEV_1}"), drift="wrong-type")
    assert client.request(f"{simulator.base_url}/Application?cpr={ELEV_1}").body == RECORDED
    fallback = client.request(f"{simulator.base_url}/MedicalCertificate?cpr={ELEV_1}").json()
    assert fallback["MedicalCertificates"][0]["Status"]["Code"] == "2"


def test_a_later_answer_wins(kpb_sim_certs: CertificateSet, tmp_path: Path, client: Any) -> None:
    url = f"{KPB}/Application?cpr={ELEV_1}"
    first = write_har(tmp_path / "first.har", entry(url, body=b'"one"'), entry(url, body=b'"two"'))
    second = write_har(tmp_path / "second.har", entry(url, body=b'"three"'))
    for files, expected in (([first], b'"two"'), ([first, second], b'"three"')):
        with Simulator(kpb_sim_certs, replay=Replay.load(files)) as simulator:
            answer = client.request(f"{simulator.base_url}/Application?cpr={ELEV_1}")
            assert answer.body == expected


def test_a_recording_of_contract_runs_holds_only_test_numbers(tmp_path: Path) -> None:
    # Bodies and URLs mention the test numbers, also as DDMMYY-SSSS; timestamps, GUIDs and
    # numbers that cannot be a birth date are not CPR numbers.
    body = (
        b'{"Message":"070261-4074","Id":"d12a2470-64e0-4f4e-a3bc-123456789012",'
        b'"At":"2018-05-25T10:06:46.5471929","N":"1234567890","M":"3213001234"}'
    )
    har = write_har(tmp_path / "ok.har", entry(f"{KPB}/Application?cpr={ELEV_1}", body=body))
    assert len(Replay.load([har]).answers) == 1


@pytest.mark.parametrize(
    "where",
    ["query", "body", "hyphenated in a body", "request header", "plain-HTTP entry"],
)
def test_a_recording_with_other_cpr_numbers_is_refused(tmp_path: Path, where: str) -> None:
    url, body, headers = f"{KPB}/Application?cpr={ELEV_1}", RECORDED, ()
    recorded: Entry
    if where == "query":
        recorded = entry(f"{KPB}/Application?cpr={OTHER}")
    elif where == "body":
        recorded = entry(url, body=f'{{"Cpr":"{OTHER}"}}'.encode())
    elif where == "hyphenated in a body":
        recorded = entry(url, body=f"Elev ({OTHER[:6]}-{OTHER[6:]})".encode())
    elif where == "request header":
        recorded = entry(url, body=body, headers=headers)
        recorded["request"]["headers"] = [{"name": "X-Cpr", "value": OTHER}]
    else:
        recorded = entry(f"http://x/api/Application?cpr={OTHER}", client="plain HTTP")
    har = write_har(tmp_path / "production.har", entry(url), recorded)
    with pytest.raises(ReplayError) as refused:
        Replay.load([har])
    message = str(refused.value)
    assert "\n" not in message
    assert "holds 1 CPR number(s) other than KPB's seven test numbers" in message
    assert "--allow-cpr NUMBER or --allow-cpr-file FILE" in message
    assert "150580-****" in message
    assert OTHER not in message
    # Listed as fictitious, it is allowed, in either form.
    assert Replay.load([har], allowed_cprs={OTHER}).answers
    assert Replay.load([har], allowed_cprs={f"{OTHER[:6]}-{OTHER[6:]}"}).answers


def test_the_count_names_each_distinct_number_once(tmp_path: Path) -> None:
    others = ["1505809876", "3112991234", "0101001111"]
    entries = [entry(f"{KPB}/Application?cpr={cpr}") for cpr in others + others]
    with pytest.raises(ReplayError, match=r"holds 3 CPR number\(s\)"):
        Replay.load([write_har(tmp_path / "r.har", *entries)])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "is not a HAR recording: it is not JSON"),
        ('{"log": {}}', "is not a HAR recording: it has no log.entries list"),
        ('{"log": {"entries": [{"request": {}}]}}', "entry 1 is not a HAR entry"),
        (
            '{"log": {"entries": [{"request": {"method": "GET", "url": "https://x/api/test"},'
            ' "response": {"status": 200, "content": {"size": 3, "text": "!!",'
            ' "encoding": "base64"}}}]}}',
            "entry 1: response.content.text is not valid base64",
        ),
    ],
)
def test_a_file_that_is_not_a_recording_gets_one_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "bad.har"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReplayError) as refused:
        Replay.load([path])
    assert problem in str(refused.value)
    assert "\n" not in str(refused.value)


def test_entries_without_an_answer_or_a_body_are_left_out(tmp_path: Path) -> None:
    unanswered = entry(f"{KPB}/test", 0, b"")
    bodiless = entry(f"{KPB}/Application?cpr={ELEV_1}")
    del bodiless["response"]["content"]["text"]
    replay = Replay.load([write_har(tmp_path / "r.har", unanswered, bodiless)])
    assert replay.answers == {}
    assert replay.left_out == {"without an answer": 1, "without a recorded body": 1}
    assert "replaying 0 recorded answers" in replay.describe()


def test_allow_list_file(tmp_path: Path) -> None:
    har = write_har(tmp_path / "r.har", entry(f"{KPB}/Application?cpr={OTHER}"))
    allowed = tmp_path / "fictitious.txt"
    allowed.write_text(f"# made-up persons\n\n{OTHER[:6]}-{OTHER[6:]}  # Elev 8\n", "utf-8")
    runner = CliRunner()
    refused = runner.invoke(sim, ["serve", "--replay", str(har)])
    assert refused.exit_code == 2
    assert refused.output.count("\n") == 1
    assert refused.output.startswith("Error: ")
    assert "--allow-cpr-file" in refused.output
    assert OTHER not in refused.output
    allowed.write_text(f"{OTHER}\n12345\n", "utf-8")
    typo = runner.invoke(sim, ["serve", "--replay", str(har), "--allow-cpr-file", str(allowed)])
    assert typo.exit_code == 2
    assert "line 2: not a CPR number" in typo.output
    assert "12345" not in typo.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["--allow-cpr", OTHER],
        ["--replay-miss", "404"],
    ],
)
def test_replay_options_need_replay(arguments: list[str]) -> None:
    result = CliRunner().invoke(sim, ["serve", *arguments])
    assert result.exit_code == 2
    assert "go with --replay" in result.output


def test_serve_explains_an_unreadable_recording(tmp_path: Path) -> None:
    path = tmp_path / "exchanges.har"
    path.write_text('{"log": []}', encoding="utf-8")
    result = CliRunner().invoke(sim, ["serve", "--replay", str(path)])
    assert result.exit_code == 2
    assert result.output == f"Error: {path} is not a HAR recording: it has no log.entries list\n"
