"""The async client spreads concurrent lookups over small connection pools, because
httpcore's pool bookkeeping grows with the square of its connections; one-at-a-time use
keeps one connection. Counted over real mutual TLS against the simulator."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kpb_ext import AsyncKpbClient, ClientCertificate, ConnectionFailedError, RetryPolicy
from kpb_ext._pools import POOL_SIZE, SpreadTransport
from kpb_sim import CertificateSet, Latency, Rehearsal, Simulator
from tests.support.connections import Connects

from .servers import closed_port

pytestmark = pytest.mark.network


@pytest.fixture
def slow_sim(kpb_sim_certs: CertificateSet) -> Iterator[Simulator]:
    """A simulator 30 ms away, so that concurrent lookups overlap."""
    with Simulator(kpb_sim_certs, rehearsal=Rehearsal(latency=Latency(30))) as simulator:
        yield simulator


def numbers(count: int) -> list[str]:
    first = dt.date(1951, 1, 1)
    return [f"{first + dt.timedelta(days=i):%d%m%y}0{i % 1000:03d}" for i in range(count)]


def client(simulator: Simulator, certs: CertificateSet, **options: Any) -> AsyncKpbClient:
    files = certs.client("registered")
    return AsyncKpbClient(
        base_url=simulator.base_url,
        certificate=ClientCertificate.from_pem(files.cert, files.key),
        ca_bundle=certs.ca_cert,
        **options,
    )


def spread(kpb: AsyncKpbClient) -> SpreadTransport:
    transport = kpb._transport
    assert isinstance(transport, SpreadTransport)
    return transport


def pool_sizes(transport: SpreadTransport) -> list[int]:
    return [len(pool._pool.connections) for pool in transport._pools]


def test_a_concurrent_batch_fills_small_pools(
    slow_sim: Simulator, kpb_sim_certs: CertificateSet, connects: Connects
) -> None:
    async def batch() -> tuple[list[bool], list[int], list[int]]:
        async with client(slow_sim, kpb_sim_certs) as kpb:
            outcomes = [r.ok async for r in kpb.lookup_many(numbers(128), concurrency=32)]
            transport = spread(kpb)
            return outcomes, pool_sizes(transport), list(transport._in_flight)

    outcomes, sizes, in_flight = asyncio.run(batch())
    assert outcomes == [True] * 128
    assert max(sizes) <= POOL_SIZE
    assert sum(sizes) == connects.count
    assert 32 / POOL_SIZE <= sum(1 for size in sizes if size) <= 32
    assert connects.count <= 32
    assert in_flight == [0] * len(in_flight)


def test_one_lookup_at_a_time_keeps_one_connection(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, connects: Connects
) -> None:
    async def sequential() -> list[int]:
        async with client(kpb_sim, kpb_sim_certs) as kpb:
            for cpr in numbers(20):
                assert await kpb.applications(cpr) == []
            assert await kpb.ping() == ["Hello", "World"]
            return pool_sizes(spread(kpb))

    sizes = asyncio.run(sequential())
    assert connects.count == 1
    assert sizes[0] == 1
    assert sum(sizes) == 1


def test_a_failed_request_leaves_no_count_behind(kpb_sim_certs: CertificateSet) -> None:
    simulator_url = f"https://127.0.0.1:{closed_port()}/api"

    async def failing() -> list[int]:
        files = kpb_sim_certs.client("registered")
        async with AsyncKpbClient(
            base_url=simulator_url,
            certificate=ClientCertificate.from_pem(files.cert, files.key),
            ca_bundle=kpb_sim_certs.ca_cert,
            retry=RetryPolicy.none(),
        ) as kpb:
            for _ in range(3):
                with pytest.raises(ConnectionFailedError):
                    await kpb.ping()
            return list(spread(kpb)._in_flight)

    assert asyncio.run(failing()) == [0] * 13


def test_pools_divide_the_limits() -> None:
    transport = SpreadTransport(limits=httpx.Limits(max_connections=20, keepalive_expiry=7))
    assert len(transport._pools) == 3
    limits = httpx.Limits(max_connections=3)
    assert len(SpreadTransport(limits=limits)._pools) == 1
