"""A batch's politeness limit: requests spaced by the rate, retries included, and a
``Retry-After`` that holds the whole batch, against the simulator over mutual TLS.

What is asserted is structural, never a duration measured against a bound the machine
could miss: how many requests went out within any one second, that no request went out
while KPB had asked to wait, and lower bounds on time that only a faster machine than
possible could break. The times are taken where requests enter the real transport and
where their answers have been read, by a transport that wraps httpx's own.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from kpb_ext import (
    DEFAULT_RATE,
    AsyncKpbClient,
    ClientCertificate,
    ConnectionFailedError,
    KpbClient,
    LookupResult,
    RetryPolicy,
    UnexpectedStatusError,
    create_ssl_context,
    parse_rate,
)
from kpb_ext._rate import MARGIN, batch_rate
from kpb_sim import CertificateSet, Latency, Rehearsal, Simulator
from kpb_sim.pytest_plugin import SimulatorFactory

from . import examples
from .servers import closed_port

pytestmark = pytest.mark.network


# -- what the transport saw --------------------------------------------------------------


@dataclass
class Exchange:
    """One request as the transport saw it: when it went out, and when its answer (if
    any) had been read."""

    started: float
    answered: float = math.inf
    status: int | None = None
    retry_after: int | None = None


class _ReadToEnd(httpx.AsyncByteStream, httpx.SyncByteStream):
    def __init__(self, stream: Any, exchange: Exchange) -> None:
        self._stream, self._exchange = stream, exchange

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    async def aclose(self) -> None:
        await self._stream.aclose()
        self._exchange.answered = time.monotonic()

    def close(self) -> None:
        self._stream.close()
        self._exchange.answered = time.monotonic()


class Recorder(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """httpx's own transport (real TLS sockets), noting each exchange."""

    def __init__(self, context: Any, sync: bool = False) -> None:
        self.exchanges: list[Exchange] = []
        self._async = None if sync else httpx.AsyncHTTPTransport(verify=context)
        self._sync = httpx.HTTPTransport(verify=context) if sync else None

    def _noted(self, exchange: Exchange, response: httpx.Response) -> httpx.Response:
        exchange.status = response.status_code
        retry_after = response.headers.get("Retry-After")
        exchange.retry_after = int(retry_after) if retry_after else None
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_ReadToEnd(response.stream, exchange),
            extensions=response.extensions,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self._async is not None
        exchange = Exchange(time.monotonic())
        self.exchanges.append(exchange)
        return self._noted(exchange, await self._async.handle_async_request(request))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert self._sync is not None
        exchange = Exchange(time.monotonic())
        self.exchanges.append(exchange)
        return self._noted(exchange, self._sync.handle_request(request))

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()

    def most_in_one_second(self) -> int:
        """The most requests that went out within any window ``[t, t + 1 s)``."""
        times = sorted(exchange.started for exchange in self.exchanges)
        return max(sum(1 for other in times if start <= other < start + 1) for start in times)

    def sent_while_held(self) -> list[tuple[Exchange, Exchange]]:
        """Pairs (answer with Retry-After, a request that went out before it expired)."""
        return [
            (told, sent)
            for told in self.exchanges
            if told.retry_after is not None
            for sent in self.exchanges
            if told.answered < sent.started < told.answered + told.retry_after
        ]

    def statuses(self) -> list[int | None]:
        return [exchange.status for exchange in self.exchanges]


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def certificate(kpb_sim_certs: CertificateSet) -> ClientCertificate:
    registered = kpb_sim_certs.client("registered")
    return ClientCertificate.from_pem(registered.cert, registered.key)


@pytest.fixture
def recorder(certificate: ClientCertificate, kpb_sim_certs: CertificateSet) -> Recorder:
    return Recorder(create_ssl_context(certificate, ca_bundle=kpb_sim_certs.ca_cert))


def run_batch(
    simulator: Simulator, recorder: Recorder, numbers: Sequence[str], **options: Any
) -> list[LookupResult]:
    async def batch() -> list[LookupResult]:
        async with AsyncKpbClient(base_url=simulator.base_url, transport=recorder) as kpb:
            return [result async for result in kpb.lookup_many(numbers, **options)]

    return asyncio.run(batch())


# -- the rate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [("20/s", (20, "second")), (" 3 / m ", (3, "minute")), ("5000/h", (5000, "hour"))],
)
def test_rates_per_second_minute_and_hour(text: str, rate: tuple[int, str]) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["0/s", "20", "20/d", "-1/s", "1.5/s", "fast", "", "20/s/s"])
def test_what_is_not_a_rate(text: str) -> None:
    with pytest.raises(ValueError, match="is not a rate: write it as N/s, N/m or N/h"):
        parse_rate(text)


def test_auto_is_polite_to_kpb_and_unlimited_on_loopback() -> None:
    kpb_test = "https://service-kpbt2.knowledgecube.net/api"
    assert batch_rate("auto", kpb_test) == parse_rate(DEFAULT_RATE) == (10, "second")
    assert batch_rate("auto", "https://service-koreprovebooking.dk/api") == (10, "second")
    for loopback in ("https://127.0.0.1:8443/api", "https://localhost:1/api", "https://[::1]/api"):
        assert batch_rate("auto", loopback) is None
    assert batch_rate("none", kpb_test) is None
    assert batch_rate(None, kpb_test) is None
    assert batch_rate("600/m", "https://127.0.0.1/api") == (600, "minute")


def test_a_bad_rate_is_refused_before_anything_is_sent(
    kpb_sim: Simulator, recorder: Recorder
) -> None:
    async def start() -> None:
        async with AsyncKpbClient(base_url=kpb_sim.base_url, transport=recorder) as kpb:
            kpb.lookup_many(["0702614074"], rate="fast")

    with pytest.raises(ValueError, match="'fast' is not a rate"):
        asyncio.run(start())
    with (
        KpbClient(base_url=kpb_sim.base_url, transport=httpx.HTTPTransport()) as kpb,
        pytest.raises(ValueError, match="'2/d' is not a rate"),
    ):
        kpb.lookup_many(["0702614074"], rate="2/d")
    assert recorder.exchanges == []


def test_the_rate_counts_requests_not_numbers(kpb_sim: Simulator, recorder: Recorder) -> None:
    numbers = list(examples.cpr_numbers(20))
    results = run_batch(kpb_sim, recorder, numbers, what="both", rate="20/s", concurrency=8)
    assert all(result.ok for result in results)
    assert len(recorder.exchanges) == 40  # two services a number
    assert recorder.most_in_one_second() <= 20
    # 40 requests are 39 gaps of at least 1/20 s (a slower machine only adds to it).
    starts = [exchange.started for exchange in recorder.exchanges]
    assert max(starts) - min(starts) >= 39 / 20 * (1 + MARGIN) - 0.01


def test_a_sync_batch_keeps_the_rate(
    kpb_sim: Simulator, certificate: ClientCertificate, kpb_sim_certs: CertificateSet
) -> None:
    recorder = Recorder(create_ssl_context(certificate, ca_bundle=kpb_sim_certs.ca_cert), sync=True)
    with KpbClient(base_url=kpb_sim.base_url, transport=recorder) as kpb:
        results = list(kpb.lookup_many(examples.cpr_numbers(15), rate="10/s"))
    assert len(results) == 15
    assert all(result.ok for result in results)
    assert recorder.most_in_one_second() <= 10
    starts = [exchange.started for exchange in recorder.exchanges]
    assert max(starts) - min(starts) >= 14 / 10 - 0.01


def test_a_retry_that_would_wait_beyond_the_budget_is_not_made(
    certificate: ClientCertificate, kpb_sim_certs: CertificateSet
) -> None:
    # At 1/m the retry's turn is a minute away, past the call's budget of 5 s: the call
    # ends at once with the error it got, rather than send when nobody waits for it.
    dead = f"https://127.0.0.1:{closed_port()}/api"
    retry = RetryPolicy(attempts=3, initial_wait=0.01, jitter=0, total=5)
    started = time.monotonic()
    with KpbClient(
        base_url=dead, certificate=certificate, ca_bundle=kpb_sim_certs.ca_cert, retry=retry
    ) as kpb:
        (result,) = kpb.lookup_many(["0702614074"], rate="1/m")
    assert isinstance(result.errors["applications"], ConnectionFailedError)
    assert time.monotonic() - started < 5


# -- rehearsals: failures, latency and KPB's own rate limit ------------------------------


@pytest.mark.slow
def test_under_failures_and_latency_every_number_is_answered_within_the_rate(
    kpb_sim_factory: SimulatorFactory, recorder: Recorder
) -> None:
    simulator = kpb_sim_factory(
        rehearsal=Rehearsal(latency=Latency(50), fail_rate=0.2, seed=11, slow_body_seconds=0.5)
    )
    numbers = list(examples.cpr_numbers(40))
    results = run_batch(simulator, recorder, numbers, rate="20/s", concurrency=8)
    assert sorted(result.index for result in results) == list(range(len(numbers)))
    failed = [result for result in results if not result.ok]
    for result in failed:
        assert isinstance(result.error, ConnectionFailedError | UnexpectedStatusError)
    assert len(failed) <= len(numbers) // 20, failed
    statuses = recorder.statuses()
    assert 503 in statuses  # the rehearsal did fail requests, and they were retried
    assert len(statuses) > len(numbers)
    # Retries included, no second held more than 20, and none went out while held.
    assert recorder.most_in_one_second() <= 20
    assert recorder.sent_while_held() == []


@pytest.mark.slow
def test_a_429_holds_the_whole_batch_instead_of_failing_numbers(
    kpb_sim_factory: SimulatorFactory, recorder: Recorder
) -> None:
    simulator = kpb_sim_factory(rehearsal=Rehearsal(rate_limit=5))
    numbers = list(examples.cpr_numbers(30))
    # Loopback: no rate of our own, so only KPB's answers slow the batch.
    results = run_batch(simulator, recorder, numbers, concurrency=8)
    assert len(results) == len(numbers)
    assert [result for result in results if not result.ok] == []
    statuses = recorder.statuses()
    assert 429 in statuses
    assert recorder.sent_while_held() == []
    # 30 answers at 5 a second take at least 5 s, whatever the machine.
    answered = [e.answered for e in recorder.exchanges if e.status == 200]
    assert len(answered) == len(numbers)
    assert max(answered) - min(e.started for e in recorder.exchanges) >= 5
