"""The suite against servers that mean harm: a redirect to plain HTTP, a gzip bomb, a
500 MB body, a body that trickles, an answer that never comes.

Real TLS on loopback (tests/ext/servers.py, tests/ext/hostile.py). Whatever the server
sends, no request follows it elsewhere, and a run stays within bounded memory (measured
in a child process) and bounded time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from contract_tests import (
    REPORT_FILES,
    ContractResult,
    Interrupt,
    Limits,
    Outcome,
    Target,
    anonymous,
    given_certificate,
    run_contract,
)
from contract_tests._embedded import simulator_target
from contract_tests._transport import RequestGate, Transport
from kpb_ext import MAX_RESPONSE_BYTES
from kpb_sim import CertificateSet, Outage, Rehearsal
from kpb_sim.pytest_plugin import SimulatorFactory
from tests.ext import hostile
from tests.ext.pki import Issued
from tests.ext.servers import Reply, Request, TestServer, closed_port

pytestmark = [pytest.mark.network, pytest.mark.slow]

Serve = Callable[..., TestServer]
#: The repository, where ``python -m tests.contract.rss_child`` finds its modules.
ROOT = Path(__file__).resolve().parents[2]
#: What a run may take beyond the same run against small answers (measured: +10 MB).
RSS_MARGIN_MB = 64


def _target(server: TestServer, ca_file: Path) -> Target:
    # Nothing listens for the suite's plain-HTTP probe: only a redirect could reach plain HTTP.
    identity = anonymous(ca_file)
    return Target(
        server.base_url, identity, identity, http_base_url=f"http://127.0.0.1:{closed_port()}/api"
    )


def _limits(report_dir: Path, **changes: Any) -> Limits:
    settings: dict[str, Any] = {
        "max_examples": 3,
        "max_requests": None,
        "rate": None,
        "seed": 1,
        "report_dir": report_dir,
    }
    return Limits(**(settings | changes))


def _entries(result: ContractResult) -> list[dict[str, Any]]:
    har = json.loads((result.report_dir / REPORT_FILES["recording"]).read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = har["log"]["entries"]
    return entries


def _hello_world_or(reply: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
    """*reply* for every request but the connectivity check, which a run needs to start."""

    def handler(request: Request) -> Reply:
        if request.path == "/api/test":
            return Reply.json(["Hello", "World"])
        return reply(request)

    return handler


# -- redirects ------------------------------------------------------------------------------


@pytest.fixture
def redirecting(serve: Serve) -> tuple[TestServer, TestServer]:
    """An HTTPS server that sends every request to the same URL over plain HTTP, and the
    plain HTTP server there, which counts what reaches it."""
    plain = serve(lambda request: Reply.message(403, "HTTPS Required"), server_cert=None)

    def redirect(request: Request) -> Reply:
        location = f"http://127.0.0.1:{plain.port}{request.path}"
        if request.query:
            location += "?" + urlencode(request.query, doseq=True)
        return Reply(302, b"", {"Location": location})

    return serve(redirect), plain


def test_no_request_of_a_run_follows_a_redirect(
    redirecting: tuple[TestServer, TestServer], ca_file: Path, tmp_path: Path
) -> None:
    server, plain = redirecting

    result = run_contract(_target(server, ca_file), _limits(tmp_path))

    assert plain.count() == 0, [(r.path, r.query) for r in plain.requests[:5]]
    assert result.requests > 50
    # a 302 is an answer, and not one the spec documents
    assert result.outcome == Outcome.DOES_NOT_CONFORM
    assert {"status_code_conformance", "hello_world"} <= {
        v.check for v in result.findings.violations.values()
    }
    # every answer came from the redirecting server (the plain-HTTP probe's port is closed)
    answered = [entry for entry in _entries(result) if entry["response"]["status"]]
    assert answered
    # (http.server itself answers an unknown method, such as TRACE, with 501)
    assert {e["response"]["status"] for e in answered if e["request"]["method"] == "GET"} == {302}
    assert all(entry["request"]["url"].startswith(server.base_url) for entry in answered)


def test_a_session_does_not_follow_a_redirect_even_when_asked_to(
    redirecting: tuple[TestServer, TestServer], ca_file: Path
) -> None:
    server, plain = redirecting
    session = Transport(RequestGate(None, None)).session(anonymous(ca_file))

    with session:
        response = session.get(
            server.base_url + "/Application", params={"cpr": "0702614074"}, allow_redirects=True
        )

    assert response.status_code == 302
    assert response.history == []
    assert plain.count() == 0


# -- memory -------------------------------------------------------------------------------


def _measured_run(server: TestServer, ca_file: Path, report_dir: Path) -> dict[str, Any]:
    """``tests.contract.rss_child`` against *server*: the run's outcome and peak memory."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.contract.rss_child",
            server.base_url,
            f"http://127.0.0.1:{closed_port()}/api",
            str(ca_file),
            str(report_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(hostile.bomb, id="gzip-bomb-3GB"),
        pytest.param(lambda: hostile.huge(chunked=False), id="500MB-content-length"),
        pytest.param(lambda: hostile.huge(chunked=True), id="500MB-chunked"),
    ],
)
def test_a_run_against_huge_answers_stays_within_bounded_memory_and_disk(
    serve: Serve, ca_file: Path, tmp_path: Path, reply: Callable[[], Reply]
) -> None:
    answer = reply()
    small = _measured_run(
        serve(lambda request: Reply.json({"Applications": []})), ca_file, tmp_path / "small"
    )
    result = _measured_run(serve(lambda request: answer), ca_file, tmp_path)

    # the same run against a server answering a few bytes is the baseline (schemathesis,
    # hypothesis and the spec take a few hundred MB): each answer adds a bounded amount
    assert result["peak_rss_mb"] < small["peak_rss_mb"] + RSS_MARGIN_MB, (result, small)
    assert result["requests"] == 40, result
    # an answer no KPB sends: a violation, whatever else the checks made of it
    assert result["outcome"] == "DOES_NOT_CONFORM", result
    assert "answer_size" in result["checks"], result
    recording = tmp_path / REPORT_FILES["recording"]
    assert recording.stat().st_size < 40 * 100_000
    entries = json.loads(recording.read_text(encoding="utf-8"))["log"]["entries"]
    assert len(entries) == 40
    cut = [e for e in entries if "cut at" in str(e["response"]["content"].get("comment"))]
    assert len(cut) == 40, entries[0]["response"]["content"]


def test_an_answer_over_the_limit_is_recorded_cut_and_judged(
    serve: Serve, ca_file: Path, tmp_path: Path
) -> None:
    too_big = b'{"Applications":[], "x": "' + b" " * MAX_RESPONSE_BYTES + b'"}'
    server = serve(_hello_world_or(lambda request: Reply(200, too_big)))

    result = run_contract(_target(server, ca_file), _limits(tmp_path, max_requests=12))

    assert result.outcome == Outcome.DOES_NOT_CONFORM
    sized = [v for v in result.findings.violations.values() if v.check == "answer_size"]
    assert sized, result.summary
    assert f"more than {MAX_RESPONSE_BYTES:,} bytes" in sized[0].actual
    cut = [e for e in _entries(result) if e["request"]["url"] != server.base_url + "/test"]
    assert cut
    for entry in cut:
        content = entry["response"]["content"]
        assert content["text"].startswith('{"Applications":[], "x": "')
        assert f"cut at {MAX_RESPONSE_BYTES:,} bytes" in content["comment"]


# -- time ---------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["body", "headers"])
def test_a_trickling_server_gets_each_request_cut_at_its_deadline(
    serve: Serve, ca_file: Path, tmp_path: Path, phase: str
) -> None:
    # one byte every half second: each read is quick, the answer never completes in time
    server = serve(_hello_world_or(lambda request: hostile.drip(0.5, phase=phase, lasting=120)))
    deadline, requests = 2.0, 6
    limits = _limits(tmp_path, max_requests=requests, request_timeout=deadline)

    started = time.monotonic()
    result = run_contract(_target(server, ca_file), limits)
    elapsed = time.monotonic() - started

    assert result.requests == requests
    assert elapsed < requests * deadline + 10, elapsed
    cut = [e for e in _entries(result) if e["response"]["status"] == 0]
    assert len(cut) == requests - 1
    for entry in cut:
        assert f"within its deadline of {deadline:g} s" in entry["response"]["comment"]
        assert entry["time"] < (deadline + 1) * 1000


def test_an_interrupt_cuts_the_request_in_flight(
    serve: Serve, ca_file: Path, tmp_path: Path
) -> None:
    server = serve(_hello_world_or(lambda request: Reply.json([], delay=60)))
    interrupt = Interrupt()
    threading.Timer(2, interrupt.set, ["stopped by SIGTERM"]).start()

    started = time.monotonic()
    result = run_contract(_target(server, ca_file), _limits(tmp_path), interrupt=interrupt)

    assert time.monotonic() - started < 10
    assert result.outcome == Outcome.INTERRUPTED
    assert result.summary.splitlines()[1].startswith("Result: INTERRUPTED (stopped by SIGTERM)")
    entries = _entries(result)
    assert len(entries) == result.requests == 2  # the connectivity check, then the one cut
    assert "stopped by SIGTERM" in entries[-1]["response"]["comment"]


# -- a busy or absent service ---------------------------------------------------------------


def test_answers_that_say_when_to_come_back_are_asked_again_not_judged(
    kpb_sim_certs: CertificateSet, kpb_sim_factory: SimulatorFactory, self_test_limits: Limits
) -> None:
    # Beyond 40 requests a second the simulator answers 429 with Retry-After: 1, which a
    # run on loopback reaches at once. Each such request is asked again after the wait.
    simulator = kpb_sim_factory(rehearsal=Rehearsal(rate_limit=40))
    target = simulator_target(kpb_sim_certs, simulator, description="rate-limited simulator")

    result = run_contract(target, self_test_limits)

    assert result.outcome == Outcome.CONFORMS, result.summary
    statuses = [entry["response"]["status"] for entry in _entries(result)]
    assert 429 in statuses  # recorded, though not judged
    assert len(statuses) == result.requests
    assert any("were 429 with a Retry-After" in w for w in result.findings.warnings)


def test_a_service_that_is_away_is_unreachable_not_nonconforming(
    kpb_sim_certs: CertificateSet, kpb_sim_factory: SimulatorFactory, self_test_limits: Limits
) -> None:
    # An outage: every request gets 503 with a Retry-After longer than a run waits.
    simulator = kpb_sim_factory(rehearsal=Rehearsal(outages=(Outage(0, 600),)))
    target = simulator_target(kpb_sim_certs, simulator, description="simulator in an outage")

    result = run_contract(target, self_test_limits)

    assert result.outcome == Outcome.UNREACHABLE, result.summary
    assert result.requests == 1
    assert "/test answered 503" in result.summary
    assert "run kpb contract again later" in result.summary


def test_a_kpb_that_refuses_the_certificate_everywhere_is_reported_not_crashed(
    serve: Serve, ca_file: Path, client_cert: Issued, tmp_path: Path
) -> None:
    # Even /test, which needs no certificate, answers the given one with a documented
    # 401: the run goes on, and says the certificate was refused.
    def refuse(request: Request) -> Reply:
        if request.client_subject is None:
            return Reply.message(401, "Certificate required")
        return Reply.message(401, "Certificate doesn't exist")

    server = serve(refuse)
    cert, key = client_cert.write_pem(tmp_path, "client")
    identity = given_certificate(cert=cert, key=key, ca_bundle=ca_file)
    target = Target(
        server.base_url,
        identity,
        anonymous(ca_file),
        http_base_url=f"http://127.0.0.1:{closed_port()}/api",
    )

    result = run_contract(target, _limits(tmp_path / "report"))

    assert "401 Certificate doesn't exist" in result.summary
    assert "The given certificate was refused" in result.summary
    assert result.outcome in (Outcome.CERTIFICATE_REFUSED, Outcome.DOES_NOT_CONFORM)
    assert not result.findings.errors, result.findings.errors
