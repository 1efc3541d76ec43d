"""The run itself: isolation from the user's environment, the recording, the load limits,
the TLS probes, and what the summary says about a refused certificate."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import ssl
import stat
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from contract_tests import (
    REPORT_FILES,
    ContractResult,
    Findings,
    Limits,
    Outcome,
    Target,
    anonymous,
    given_certificate,
    run_contract,
)
from contract_tests._embedded import simulator_target
from contract_tests._findings import ContractViolation
from contract_tests._openapi import TEST_CPRS, build_schema, pin_test_cprs
from contract_tests._run import ContractRun
from contract_tests._transport import RequestGate, Transport
from contract_tests.suite import test_transport as transport_checks
from kpb_sim import BILAG_A, CertificateSet
from kpb_sim.pytest_plugin import SimulatorFactory

TargetFactory = Callable[[str | None], Target]
TlsServer = Callable[[ssl.TLSVersion, ssl.TLSVersion], AbstractContextManager[str]]

pytestmark = pytest.mark.network


def _har(result: ContractResult) -> list[dict[str, object]]:
    har = json.loads((result.report_dir / "exchanges.har").read_text(encoding="utf-8"))
    entries: list[dict[str, object]] = har["log"]["entries"]
    return entries


def _url(entry: dict[str, object]) -> str:
    request = entry["request"]
    assert isinstance(request, dict)
    return str(request["url"])


def test_the_users_environment_cannot_relax_the_suite(
    sim_target: TargetFactory,
    self_test_limits: Limits,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    loaded = tmp_path / "loaded"
    # everything a user's directory or environment could hold to switch checks off
    (project / "schemathesis.toml").write_text("[checks]\nenabled = false\n")
    (project / "pytest.ini").write_text("[pytest]\naddopts = --collect-only -p no:junitxml\n")
    (project / "conftest.py").write_text(f"open({str(loaded)!r} + '-conftest', 'w')\n")
    hooks = tmp_path / "hooks.py"
    hooks.write_text(
        f"import schemathesis\nopen({str(loaded)!r} + '-hooks', 'w')\n"
        "@schemathesis.hook\ndef filter_case(context, case):\n    return False\n"
    )
    monkeypatch.chdir(project)
    monkeypatch.setenv("PYTEST_ADDOPTS", "-m nothing_at_all --deselect test_openapi.py")
    monkeypatch.setenv("PYTEST_PLUGINS", "no_such_plugin")
    monkeypatch.setenv("SCHEMATHESIS_HOOKS", str(hooks))

    result = run_contract(sim_target("html-errors"), self_test_limits)

    assert result.outcome == Outcome.DOES_NOT_CONFORM, result.summary
    assert "[content_type_conformance, " in result.summary
    assert not list(tmp_path.glob("loaded*"))
    assert (result.report_dir / "junit.xml").is_file()
    # the user's environment is as it was
    assert os.environ["PYTEST_ADDOPTS"] == "-m nothing_at_all --deselect test_openapi.py"
    assert os.environ["SCHEMATHESIS_HOOKS"] == str(hooks)


def test_every_exchange_is_recorded_and_only_test_cprs_are_sent(
    sim_target: TargetFactory, self_test_limits: Limits, kpb_sim_certs: CertificateSet
) -> None:
    target = sim_target(None)
    result = run_contract(target, self_test_limits)
    entries = _har(result)

    assert result.outcome == Outcome.CONFORMS, result.summary
    assert len(entries) == result.requests > 100
    well_formed: set[str] = set()
    for entry in entries:
        url = urlsplit(_url(entry))
        assert url.hostname == "127.0.0.1"  # never the spec's servers
        values = [v for k, v in parse_qsl(url.query, keep_blank_values=True) if k.lower() == "cpr"]
        well_formed |= {v for v in values if re.fullmatch("[0-9]{10}", v)}
    assert well_formed == set(TEST_CPRS)
    # ...while negative generation goes on: fuzzing sends malformed numbers of its own
    fuzzed = {
        value
        for entry in entries
        if str(entry["comment"]).endswith("case: fuzzing, negative")
        for name, value in parse_qsl(urlsplit(_url(entry)).query, keep_blank_values=True)
        if name.lower() == "cpr" and not re.fullmatch("[0-9]{10}", value)
    }
    assert len(fuzzed) >= 3, fuzzed
    recording = (result.report_dir / "exchanges.har").read_text(encoding="utf-8")
    registered = kpb_sim_certs.client("registered")
    for pem in (registered.cert, registered.key, kpb_sim_certs.ca_cert):
        body = "".join(line for line in pem.read_text().splitlines() if "-----" not in line)
        assert body[40:100] not in recording
    assert "PRIVATE KEY" not in recording


def test_the_number_of_requests_is_bounded(
    sim_target: TargetFactory, self_test_limits: Limits
) -> None:
    limits = dataclasses.replace(self_test_limits, max_requests=30)

    result = run_contract(sim_target(None), limits)

    assert result.outcome == Outcome.DOES_NOT_CONFORM
    assert result.requests == 30
    assert len(_har(result)) == 30
    assert "the run reached its bound of 30 requests" in result.summary


def test_the_rate_limit_spaces_requests(
    sim_target: TargetFactory, self_test_limits: Limits
) -> None:
    limits = dataclasses.replace(self_test_limits, rate=(10, "second"), max_requests=35)

    result = run_contract(sim_target(None), limits)

    started = [dt.datetime.fromisoformat(str(entry["startedDateTime"])) for entry in _har(result)]
    assert len(started) == 35
    # never more than 10 requests in a second
    gaps = [
        (later - earlier).total_seconds()
        for earlier, later in zip(started, started[10:], strict=False)
    ]
    assert min(gaps) >= 0.99


def test_a_real_service_gets_a_rate_limit_and_a_bound() -> None:
    target = Target("https://service-kpbt2.knowledgecube.net/api", anonymous(None), anonymous(None))
    loopback = Target("https://127.0.0.1:8443/api", anonymous(None), anonymous(None))

    remote, local = Limits.defaults_for(target, seed=1), Limits.defaults_for(loopback, seed=1)

    assert remote.rate == (3, "second")
    assert remote.max_requests == 600
    assert remote.max_examples < local.max_examples
    assert not remote.shrink
    assert local.rate is None
    assert target.plain_http_base_url == "http://service-kpbt2.knowledgecube.net/api"


def test_a_refused_certificate_is_explained(
    kpb_sim_certs: CertificateSet, kpb_sim_factory: SimulatorFactory, self_test_limits: Limits
) -> None:
    simulator = kpb_sim_factory()
    unregistered = kpb_sim_certs.client("unregistered")
    identity = given_certificate(
        cert=unregistered.cert,
        key=unregistered.key_encrypted,
        ca_bundle=kpb_sim_certs.ca_cert,
        password=unregistered.password,
    )
    target = Target(
        simulator.base_url,
        identity,
        anonymous(kpb_sim_certs.ca_cert),
        http_base_url=simulator.http_base_url,
    )

    result = run_contract(target, dataclasses.replace(self_test_limits, data_checks=False))

    # KPB refusing a certificate is no violation of the contract: the checks it stopped
    # are not checked, and the summary says what to send KPB support.
    assert result.outcome == Outcome.CERTIFICATE_REFUSED, result.summary
    assert not result.findings.violations
    # refused on both services: the result names both, not the first refusal only
    assert (
        "Result: NOT FULLY CHECKED: KPB refused the given certificate "
        "(GET /Application, GET /MedicalCertificate)"
    ) in result.summary
    refusal = result.summary.split("The given certificate was refused\n", 1)[1]
    assert "401 Certificate doesn't exist" in refusal
    assert "kpb.support@knowledgecube.net" in refusal
    assert unregistered.thumbprint in refusal


def _probe_run(base_url: str, certificates: CertificateSet) -> ContractRun:
    identity = anonymous(certificates.ca_cert)
    target = Target(base_url, identity, identity)
    limits = Limits(max_examples=1, max_requests=None, rate=None, seed=1)
    return ContractRun(target, limits, Transport(RequestGate(None, None)), Findings())


def test_the_tls_probe_fails_a_server_that_accepts_tls_1_1(
    kpb_sim_certs: CertificateSet, tls_server: TlsServer
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tls_1_1 = ssl.TLSVersion.TLSv1_1
    with tls_server(tls_1_1, ssl.TLSVersion.TLSv1_2) as base_url:
        run = _probe_run(base_url, kpb_sim_certs)
        with pytest.raises(ContractViolation) as raised:
            transport_checks.test_tls_older_than_1_2_is_refused(run)

    violation = raised.value.violation
    assert violation.operation == "TLS 1.1"
    assert violation.check == "tls_1_1_refused"
    assert violation.actual.startswith('200 application/json; charset=utf-8 ["Hello","World"]')
    assert "--tlsv1.1 --tls-max 1.1" in violation.reproduce


def test_the_tls_probe_fails_a_server_without_tls_1_2(
    kpb_sim_certs: CertificateSet, tls_server: TlsServer
) -> None:
    tls_1_3 = ssl.TLSVersion.TLSv1_3
    with tls_server(tls_1_3, tls_1_3) as base_url:
        run = _probe_run(base_url, kpb_sim_certs)
        with pytest.raises(ContractViolation) as raised:
            transport_checks.test_tls_1_2_is_accepted(run)

    assert raised.value.violation.check == "tls_1_2"
    assert raised.value.violation.actual.startswith("no answer (SSLError:")


def test_well_formed_cprs_are_pinned_to_test_persons() -> None:
    schema = build_schema("https://127.0.0.1:1/api", max_examples=1, seed=1, request_timeout=1)
    case = schema["/Application"]["GET"].Case(
        query={"cpr": "1234567890", "CPR": ["0000000000", "12345"], "other": "5555555555"}
    )

    pin_test_cprs(case)

    assert case.query is not None
    assert case.query["cpr"] in TEST_CPRS
    assert case.query["CPR"][0] in TEST_CPRS
    assert case.query["CPR"][1] == "12345"
    assert case.query["other"] == "5555555555"


def test_reports_are_private_under_umask_022(
    sim_target: TargetFactory, self_test_limits: Limits
) -> None:
    # They hold KPB's answers: health data, when the target is not the test environment.
    previous = os.umask(0o022)
    try:
        result = run_contract(
            sim_target(None), dataclasses.replace(self_test_limits, max_requests=20)
        )
    finally:
        os.umask(previous)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in result.report_dir.iterdir()}
    assert set(modes) == set(REPORT_FILES.values())
    assert set(modes.values()) == {0o600}, modes


OTHER_PERSON = "2304851234"  # not a test number: any real person's would look like it


def test_another_persons_cpr_in_an_answer_reaches_no_report(
    kpb_sim_certs: CertificateSet,
    kpb_sim_factory: SimulatorFactory,
    self_test_limits: Limits,
    tmp_path: Path,
) -> None:
    # A server that puts someone else's number in its data: the data check quotes the
    # value, the recording keeps the body. Neither may keep the number whole.
    data = yaml.safe_load(BILAG_A.read_text(encoding="utf-8"))
    event = data["persons"][0]["Applications"][0]["ApplicationEvents"][0]
    event["User"] = f"Sagsbehandler {OTHER_PERSON[:6]}-{OTHER_PERSON[6:]}, Københavns kommune"
    persons = tmp_path / "persons.yaml"
    persons.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    simulator = kpb_sim_factory(data=persons)
    target = simulator_target(kpb_sim_certs, simulator)

    result = run_contract(target, self_test_limits)

    assert any(
        "Sagsbehandler 230485-****" in m for c in result.findings.data_checks for m in c.mismatches
    )
    reports = {path.name: path.read_text(encoding="utf-8") for path in result.report_dir.iterdir()}
    assert set(reports) == set(REPORT_FILES.values())
    for name, text in [("stdout", result.summary), *reports.items()]:
        assert OTHER_PERSON not in text.replace("-", ""), name
        assert OTHER_PERSON[:6] + "-" + OTHER_PERSON[6:] not in text, name
    # the test numbers themselves stay whole: the reports name what was asked
    assert "0702614074" in reports["exchanges.har"]
