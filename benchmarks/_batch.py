"""Batches through ``AsyncKpbClient.lookup_many`` at several concurrencies."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from _sim import Target
from _timing import percentile

from kpb_client.models import ApplicationsResponse
from kpb_ext import AsyncKpbClient, Cpr


class TimedClient(AsyncKpbClient):
    """Records how long each ``applications_answer`` call takes, as ``lookup_many``
    makes it."""

    latencies: list[float]

    async def applications_answer(self, cpr: Cpr | str) -> ApplicationsResponse:
        started = time.perf_counter()
        try:
            return await super().applications_answer(cpr)
        finally:
            self.latencies.append(time.perf_counter() - started)


async def _batch(client: TimedClient, cprs: list[str], concurrency: int) -> tuple[float, int]:
    failed = 0
    started = time.perf_counter()
    async for result in client.lookup_many(cprs, concurrency=concurrency):
        failed += not result.ok
    return time.perf_counter() - started, failed


async def _measure(
    target: Target, cprs: list[str], concurrencies: list[int], rounds: int
) -> dict[str, Any]:
    certificate = target.certificate()
    clients = {
        level: TimedClient(
            base_url=target.base_url, certificate=certificate, ca_bundle=target.ca_cert
        )
        for level in concurrencies
    }
    rates: dict[int, list[float]] = {level: [] for level in concurrencies}
    latencies: dict[int, list[float]] = {level: [] for level in concurrencies}
    failures = 0
    try:
        for index in range(rounds):
            order = concurrencies if index % 2 == 0 else concurrencies[::-1]
            for level in order:
                client = clients[level]
                # Open (or reopen) the connections first: a nightly batch pays that once,
                # and httpx closes connections idle for 5 s while the other levels run.
                client.latencies = []
                await _batch(client, cprs[: level * 4], level)
                client.latencies = []
                elapsed, failed = await _batch(client, cprs, level)
                failures += failed
                rates[level].append(len(cprs) / elapsed)
                latencies[level].extend(client.latencies)
    finally:
        for client in clients.values():
            await client.aclose()
    return {
        "lookups": len(cprs),
        "rounds": rounds,
        "failed": failures,
        "by_concurrency": {
            str(level): {
                "throughput": statistics.median(rates[level]),
                "throughput_by_round": rates[level],
                "p50_ms": percentile(latencies[level], 0.50) * 1e3,
                "p99_ms": percentile(latencies[level], 0.99) * 1e3,
            }
            for level in concurrencies
        },
    }


def batch_by_concurrency(
    target: Target, cprs: list[str], concurrencies: list[int], rounds: int
) -> dict[str, Any]:
    """Lookups per second and call latency (p50, p99) for each concurrency.

    Every round runs the same batch of distinct CPR numbers at each concurrency, in
    alternating order; throughput is the median over the rounds, and the percentiles are
    over every call of every round. Each concurrency has its own client, whose
    connections are opened by a short batch just before each timed one.
    """
    return asyncio.run(_measure(target, cprs, concurrencies, rounds))
