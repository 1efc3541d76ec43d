"""A batch keeps its connections: one TLS handshake per connection, not per lookup.

Counted, not timed: httpcore logs each TCP connection it opens on the
``httpcore.connection`` logger.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from kpb_ext import AsyncKpbClient, ClientCertificate, KpbClient
from kpb_sim import CertificateSet, Simulator
from tests.support.connections import Connects

pytestmark = pytest.mark.network


def numbers(count: int) -> list[str]:
    """*count* distinct valid CPR numbers (unknown to the simulator: empty answers)."""
    first = dt.date(1950, 1, 1)
    return [f"{first + dt.timedelta(days=i):%d%m%y}0{i % 1000:03d}" for i in range(count)]


def client_arguments(simulator: Simulator, certs: CertificateSet) -> dict[str, object]:
    files = certs.client("registered")
    return {
        "base_url": simulator.base_url,
        "certificate": ClientCertificate.from_pem(files.cert, files.key),
        "ca_bundle": certs.ca_cert,
    }


@pytest.mark.parametrize("concurrency", [4, 32])
def test_a_batch_opens_at_most_one_connection_per_concurrent_lookup(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, connects: Connects, concurrency: int
) -> None:
    async def batch() -> list[bool]:
        async with AsyncKpbClient(**client_arguments(kpb_sim, kpb_sim_certs)) as kpb:
            return [
                result.ok async for result in kpb.lookup_many(numbers(300), concurrency=concurrency)
            ]

    outcomes = asyncio.run(batch())
    assert outcomes == [True] * 300
    assert 1 <= connects.count <= concurrency


def test_sequential_lookups_share_one_connection(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, connects: Connects
) -> None:
    with KpbClient(**client_arguments(kpb_sim, kpb_sim_certs)) as kpb:
        for cpr in numbers(50):
            assert kpb.applications(cpr) == []
        assert kpb.ping() == ["Hello", "World"]
    assert connects.count == 1
