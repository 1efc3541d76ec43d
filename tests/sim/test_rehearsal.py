"""Rehearsal options of the simulator: latency, failures, a rate limit and outages, over
real mutual-TLS connections, and together with drift modes and replays."""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kpb_cli._sim import sim
from kpb_ext import (
    AsyncKpbClient,
    ClientCertificate,
    ConnectionFailedError,
    UnexpectedStatusError,
)
from kpb_sim import (
    FAILURE_MIX,
    CertificateSet,
    Latency,
    Outage,
    Rehearsal,
    Replay,
    Simulator,
    load_persons,
)
from kpb_sim._rehearsal import Rehearser
from kpb_sim.pytest_plugin import SimulatorFactory

ELEV_1 = "0702614074"
BODY = json.dumps(
    {"Applications": load_persons()[ELEV_1].applications},
    ensure_ascii=False,
    separators=(",", ":"),
)


@pytest.fixture
def rehearsing(kpb_sim_factory: SimulatorFactory) -> Any:
    """``rehearsing(Rehearsal(...), drift=..., replay=...)``: a started simulator."""

    def start(rehearsal: Rehearsal, drift: str | None = None, **options: Any) -> Simulator:
        return kpb_sim_factory(drift, rehearsal=rehearsal, **options)

    return start


def outcome(client: Any, url: str, connection: http.client.HTTPConnection | None = None) -> str:
    """``"200"``, ``"503 Retry-After 1"``..., or ``"reset"`` when no answer came."""
    try:
        answer = client.request(url, connection=connection)
    except (OSError, http.client.HTTPException):
        return "reset"
    retry_after = answer.headers.get("Retry-After")
    return f"{answer.status}" + (f" Retry-After {retry_after}" if retry_after else "")


# -- options -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50", Latency(50)), ("50±10", Latency(50, 10)), ("50 +- 10", Latency(50, 10)), ("0", None)],
)
def test_latency_values(text: str, expected: Latency | None) -> None:
    assert Latency.parse(text) == (expected or Latency(0))


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--latency", "fast", "--latency takes milliseconds with an optional jitter"),
        ("--latency", "-5", "--latency takes milliseconds"),
        ("--latency", "50±60", "the jitter cannot be more than the latency"),
        ("--latency", "90000", "at most 60000 milliseconds"),
        ("--fail-rate", "1.5", "--fail-rate takes a fraction from 0 to 1"),
        ("--fail-rate", "often", "--fail-rate takes a fraction from 0 to 1"),
        ("--fail-rate", "nan", "--fail-rate takes a fraction from 0 to 1"),
        ("--rate-limit", "20", "--rate-limit takes a whole number of requests per second"),
        ("--rate-limit", "0/s", "more than 0"),
        ("--rate-limit", "20/m", "--rate-limit takes a whole number of requests per second"),
        ("--rate-limit", "0.5/s", "--rate-limit takes a whole number"),
        ("--outage", "10", "--outage takes START:DURATION"),
        ("--outage", "10:0", "DURATION more than 0"),
        ("--outage", "10:5:sometimes", "--outage takes START:DURATION"),
    ],
)
def test_a_bad_value_gets_one_line_and_exit_code_2(option: str, value: str, problem: str) -> None:
    result = CliRunner().invoke(sim, ["serve", option, value])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ")
    assert result.output.count("\n") == 1, result.output
    assert problem in result.output
    assert "Traceback" not in result.output


def test_outage_values() -> None:
    assert Outage.parse("30:60") == Outage(30, 60)
    assert Outage.parse("0.5:2.5:refuse") == Outage(0.5, 2.5, refuse=True)
    assert Outage(10, 5).remaining(9.9) is None
    assert Outage(10, 5).remaining(12) == 3
    assert Outage(10, 5).remaining(15) is None


def test_jitter_spreads_the_latency_within_its_bounds() -> None:
    rng = random.Random(1)  # noqa: S311
    delays = [Latency(200, 100).seconds(rng) for _ in range(2000)]
    assert 0.1 <= min(delays) < 0.11
    assert 0.29 < max(delays) <= 0.3
    assert Latency(200).seconds(rng) == 0.2


def test_the_failure_mix_and_its_seed() -> None:
    def outcomes(seed: int, count: int = 4000) -> list[str]:
        rehearser = Rehearser(Rehearsal(fail_rate=0.2, seed=seed))
        kinds = []
        for _ in range(count):
            disruption = rehearser.disruption()
            if disruption.reset:
                kinds.append("reset")
            elif disruption.slow:
                kinds.append("slow body")
            elif disruption.answer is not None:
                kinds.append(str(disruption.answer.status))
            else:
                kinds.append("ok")
        return kinds

    first = outcomes(seed=7)
    assert first == outcomes(seed=7)
    assert first != outcomes(seed=8)
    counts = Counter(first)
    assert counts["ok"] / len(first) == pytest.approx(0.8, abs=0.03)
    failed = len(first) - counts["ok"]
    shares = dict(FAILURE_MIX)
    assert counts["503"] / failed == pytest.approx(shares["503"], abs=0.06)
    assert counts["reset"] / failed == pytest.approx(shares["reset"], abs=0.06)
    assert counts["slow body"] / failed == pytest.approx(shares["slow body"], abs=0.06)


def test_nothing_fails_without_a_fail_rate() -> None:
    rehearser = Rehearser(Rehearsal(latency=Latency(0)))
    assert all(rehearser.disruption() == rehearser.disruption() for _ in range(100))
    assert not any(
        d.reset or d.slow or d.answer for d in (rehearser.disruption() for _ in range(100))
    )


# -- over the wire -----------------------------------------------------------------------


def test_latency_is_added_without_holding_up_other_connections(
    rehearsing: Any, client: Any
) -> None:
    simulator = rehearsing(Rehearsal(latency=Latency(400)))
    url = f"{simulator.base_url}/Application?cpr={ELEV_1}"
    connections = [client.connect(url) for _ in range(8)]

    def timed(connection: http.client.HTTPConnection) -> float:
        started = time.perf_counter()
        assert client.request(url, connection=connection).body.decode() == BODY
        return time.perf_counter() - started

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(timed, connections))  # handshakes done
        started = time.perf_counter()
        each = list(pool.map(timed, connections))
        together = time.perf_counter() - started
    for connection in connections:
        connection.close()
    assert min(each) >= 0.4
    # One after the other they would take 3.2 s.
    assert together < 1.6, (together, each)


def test_failures_over_the_wire(rehearsing: Any, client: Any) -> None:
    simulator = rehearsing(Rehearsal(fail_rate=1.0, seed=5, slow_body_seconds=0.3))
    url = f"{simulator.base_url}/Application?cpr={ELEV_1}"
    seen: Counter[str] = Counter()
    for _ in range(24):
        started = time.perf_counter()
        try:
            answer = client.request(url)
        except (OSError, http.client.HTTPException):
            seen["reset"] += 1
            continue
        elapsed = time.perf_counter() - started
        if answer.status == 503:
            assert answer.headers["Retry-After"] == "1"
            assert answer.content_type == "text/html; charset=us-ascii"
            assert b"HTTP Error 503. The service is unavailable." in answer.body
            seen["503"] += 1
        else:
            # A slow body is the whole, right body, late.
            assert answer.status == 200
            assert answer.body.decode() == BODY
            assert elapsed >= 0.3
            seen["slow body"] += 1
    assert set(seen) == {"503", "reset", "slow body"}, seen


def test_rate_limit_across_connections(rehearsing: Any, client: Any) -> None:
    simulator = rehearsing(Rehearsal(rate_limit=5))
    url = f"{simulator.base_url}/Application?cpr={ELEV_1}"
    first, second = client.connect(url), client.connect(url)
    for connection in (first, second):
        connection.connect()
    started = time.monotonic()
    seen = [outcome(client, url, (first, second)[n % 2]) for n in range(10)]
    assert time.monotonic() - started < 1, "too slow to test a limit per second"
    assert seen == ["200"] * 5 + ["429 Retry-After 1"] * 5
    limited = client.request(url, connection=first)
    assert limited.json() == {"Message": "Rate limit exceeded: at most 5 requests per second."}
    time.sleep(max(0.0, started + 1.05 - time.monotonic()))
    assert outcome(client, url, second) == "200"
    first.close()
    second.close()


def test_an_outage_answers_503_with_the_time_left(rehearsing: Any, client: Any) -> None:
    simulator = rehearsing(Rehearsal(outages=(Outage(0, 2),)))
    started = time.monotonic()
    url = f"{simulator.base_url}/Application?cpr={ELEV_1}"
    assert outcome(client, url) == "503 Retry-After 2"
    assert outcome(client, f"{simulator.http_base_url}/test") == "503 Retry-After 2"
    time.sleep(max(0.0, started + 2.1 - time.monotonic()))
    assert outcome(client, url) == "200"


def test_an_outage_with_refuse_resets_connections(rehearsing: Any, client: Any) -> None:
    simulator = rehearsing(Rehearsal(outages=(Outage(0.8, 0.8, refuse=True),)))
    started = time.monotonic()
    url = f"{simulator.base_url}/Application?cpr={ELEV_1}"
    kept = client.connect(url)
    assert outcome(client, url, kept) == "200"
    assert outcome(client, url) == "200"
    time.sleep(max(0.0, started + 0.9 - time.monotonic()))
    assert outcome(client, url, kept) == "reset"
    assert outcome(client, url) == "reset"  # a new connection
    time.sleep(max(0.0, started + 1.7 - time.monotonic()))
    assert outcome(client, url) == "200"
    kept.close()


def test_rehearsal_with_drift_and_certificate_checks(rehearsing: Any, client: Any) -> None:
    simulator = rehearsing(Rehearsal(latency=Latency(50), rate_limit=4), drift="wrong-type")
    url = f"{simulator.base_url}/MedicalCertificate?cpr={ELEV_1}"
    answer = client.request(url)
    assert answer.json()["MedicalCertificates"][0]["Status"]["Code"] == "2"
    refused = client.request(url, None)
    assert refused.json() == {"Message": "Certificate required"}
    assert [outcome(client, url) for _ in range(3)] == ["200", "200", "429 Retry-After 1"]


def test_rehearsal_with_replay(rehearsing: Any, client: Any, tmp_path: Path) -> None:
    har = tmp_path / "exchanges.har"
    recorded = {
        "request": {"method": "GET", "url": f"https://kpb/api/Application?cpr={ELEV_1}"},
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"size": 9, "text": '"replay!"'},
        },
        "comment": "client: the given certificate",
    }
    har.write_text(json.dumps({"log": {"entries": [recorded]}}), encoding="utf-8")
    simulator = rehearsing(Rehearsal(latency=Latency(200)), replay=Replay.load([har]))
    started = time.perf_counter()
    answer = client.request(f"{simulator.base_url}/Application?cpr={ELEV_1}")
    assert time.perf_counter() - started >= 0.2
    assert (answer.body, answer.content_type) == (b'"replay!"', "application/json")


def test_stop_does_not_wait_out_the_latency(kpb_sim_certs: CertificateSet, client: Any) -> None:
    simulator = Simulator(kpb_sim_certs, rehearsal=Rehearsal(latency=Latency(30_000))).start()
    url = f"{simulator.base_url}/Application?cpr={ELEV_1}"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(outcome, client, url)
        time.sleep(0.3)
        started = time.perf_counter()
        simulator.stop()
        stopped = time.perf_counter() - started
        waiting.result(timeout=10)
    assert stopped < 5


def test_serve_announces_and_describes_the_rehearsal(kpb_sim_certs: CertificateSet) -> None:
    command = [
        sys.executable, "-m", "kpb_sim", "--cert-dir", str(kpb_sim_certs.directory),
        "--announce-json", "--latency", "50±5", "--fail-rate", "0.2", "--rate-limit", "20/s",
        "--outage", "100:10:refuse", "--seed", "7",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
    )
    try:
        assert process.stdout is not None
        assert process.stderr is not None
        announcement = json.loads(process.stdout.readline())
        process.terminate()
        assert process.wait(timeout=10) == 0
        human = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert announcement["rehearsal"] == {
        "latency": {"milliseconds": 50.0, "jitter": 5.0},
        "fail_rate": 0.2,
        "rate_limit": 20,
        "outages": [{"start": 100.0, "duration": 10.0, "refuse": True}],
        "seed": 7,
        "slow_body_seconds": 2.0,
    }
    assert "rehearsing latency 50 ms ± 5 before each answer" in human
    assert "rehearsing fail rate 0.2 (50% 503, 25% reset, 25% slow body)" in human
    assert "rehearsing seed 7 (--seed 7 repeats these failures and jitter)" in human
    assert "rehearsing rate limit 20/s" in human
    assert "rehearsing outage 100 s after the start, for 10 s: connections reset" in human


@pytest.mark.slow
def test_a_batch_under_failures_and_latency_accounts_for_every_number(
    rehearsing: Any, kpb_sim_certs: CertificateSet
) -> None:
    simulator = rehearsing(
        Rehearsal(latency=Latency(50, 10), fail_rate=0.2, seed=11, slow_body_seconds=0.5)
    )
    registered = kpb_sim_certs.client("registered")
    certificate = ClientCertificate.from_pem(registered.cert, registered.key)
    numbers = [f"{day:02d}{month:02d}614{n:03d}" for day in range(1, 29) for month in (1, 2)
               for n in (1, 2)]  # fmt: skip

    async def batch() -> list[Any]:
        async with AsyncKpbClient(
            base_url=simulator.base_url, certificate=certificate, ca_bundle=kpb_sim_certs.ca_cert
        ) as kpb:
            return [result async for result in kpb.lookup_many(numbers, concurrency=8)]

    results = asyncio.run(batch())
    assert sorted(result.index for result in results) == list(range(len(numbers)))
    failed = [result for result in results if not result.ok]
    for result in failed:
        error = result.errors["applications"]
        assert isinstance(error, ConnectionFailedError | UnexpectedStatusError), error
    assert len(failed) <= len(numbers) // 20, failed
