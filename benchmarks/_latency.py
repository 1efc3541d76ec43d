"""Batches where the network, not the CPU, is the limit: the simulator adds 50 ms.

KPB is a round trip of tens of milliseconds away; there a batch's throughput should be
``concurrency / latency`` and each lookup should take about the latency, whatever the
concurrency. Against a simulator started with ``--latency 50`` (in its own process),
``AsyncKpbClient.lookup_many`` runs beside raw httpx doing the same lookups with as many
asyncio tasks, on a pool of the same size, in alternating order.

``efficiency`` is throughput over the ideal ``concurrency / latency``: 1.0 would be a
batch that waits on nothing but the injected latency. The CPU time per lookup, of the
client and of the simulator, says whether the machine could keep up with the ideal at
all: at 32 lookups in flight and 50 ms, the ideal is 640 lookups a second.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from _batch import TimedClient
from _sim import Target
from _timing import percentile

from kpb_ext import DEFAULT_TIMEOUT, create_ssl_context

LATENCY_MS = 50
CONCURRENCIES = [8, 32, 64]

Batch = Callable[[list[str], int, list[float]], Awaitable[float]]


def _kpb_batch(client: TimedClient) -> Batch:
    async def run(cprs: list[str], concurrency: int, latencies: list[float]) -> float:
        client.latencies = latencies
        started = time.perf_counter()
        async for result in client.lookup_many(cprs, concurrency=concurrency):
            if not result.ok:
                raise RuntimeError(f"lookup failed: {result.error!r}")
        return time.perf_counter() - started

    return run


def _raw_batch(http: httpx.AsyncClient) -> Batch:
    async def run(cprs: list[str], concurrency: int, latencies: list[float]) -> float:
        numbers = iter(cprs)

        async def worker() -> None:
            for cpr in numbers:  # shared: each task takes the next number
                started = time.perf_counter()
                response = await http.get("/Application", params={"cpr": cpr})
                response.raise_for_status()
                json.loads(response.content)
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started

    return run


async def _measure(
    target: Target, cprs: list[str], per_task: int, rounds: int, server_cpu: Callable[[], float]
) -> dict[str, Any]:
    certificate = target.certificate()
    kpb = TimedClient(base_url=target.base_url, certificate=certificate, ca_bundle=target.ca_cert)
    raw = httpx.AsyncClient(
        base_url=target.base_url,
        verify=create_ssl_context(certificate, ca_bundle=target.ca_cert),
        headers={"Accept": "application/json"},
        # The client's pool size and timeout, so that both wait as long for the same.
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
        timeout=DEFAULT_TIMEOUT,
    )
    batches = {"kpb": _kpb_batch(kpb), "raw": _raw_batch(raw)}
    ideal = {level: level / (LATENCY_MS / 1000) for level in CONCURRENCIES}
    rates: dict[str, dict[int, list[float]]] = {n: {c: [] for c in CONCURRENCIES} for n in batches}
    latencies: dict[str, dict[int, list[float]]] = {
        n: {c: [] for c in CONCURRENCIES} for n in batches
    }
    # CPU seconds of the client (this process) and of the simulator, and lookups.
    cpu = {n: {c: [0.0, 0.0, 0] for c in CONCURRENCIES} for n in batches}
    try:
        for index in range(rounds):
            for level in CONCURRENCIES:
                count = level * per_task
                order = list(batches) if (index + level) % 2 == 0 else list(batches)[::-1]
                for name in order:
                    # Open the connections first, as a nightly batch does once.
                    await batches[name](cprs[-level:], level, [])
                    client, server = time.process_time(), server_cpu()
                    elapsed = await batches[name](cprs[:count], level, latencies[name][level])
                    used = cpu[name][level]
                    used[0] += time.process_time() - client
                    used[1] += server_cpu() - server
                    used[2] += count
                    rates[name][level].append(count / elapsed)
    finally:
        await kpb.aclose()
        await raw.aclose()

    def figures(name: str, level: int) -> dict[str, Any]:
        throughput = statistics.median(rates[name][level])
        return {
            "throughput": throughput,
            "efficiency": throughput / ideal[level],
            "efficiency_by_round": [rate / ideal[level] for rate in rates[name][level]],
            "p50_ms": percentile(latencies[name][level], 0.50) * 1e3,
            "p99_ms": percentile(latencies[name][level], 0.99) * 1e3,
            "client_cpu_ms_per_lookup": cpu[name][level][0] / cpu[name][level][2] * 1e3,
            "simulator_cpu_ms_per_lookup": cpu[name][level][1] / cpu[name][level][2] * 1e3,
        }

    return {
        "latency_ms": LATENCY_MS,
        "lookups_per_task": per_task,
        "rounds": rounds,
        "by_concurrency": {
            str(level): {name: figures(name, level) for name in batches} for level in CONCURRENCIES
        },
    }


def latency_bound(
    target: Target,
    cprs: list[str],
    per_task: int,
    rounds: int,
    server_cpu: Callable[[], float],
) -> dict[str, Any]:
    """Efficiency and p50/p99 per lookup of ``lookup_many`` and of raw httpx, at each
    concurrency, against a simulator that waits ``LATENCY_MS`` before each answer.

    Each round runs ``concurrency * per_task`` distinct numbers at each concurrency, the
    two contenders in alternating order; throughput is the median over the rounds, the
    percentiles are over every lookup of every round. *server_cpu* gives the CPU seconds
    the simulator has used so far.
    """
    if len(cprs) < max(CONCURRENCIES) * per_task:
        raise ValueError("not enough numbers for the largest batch")
    return asyncio.run(_measure(target, cprs, per_task, rounds, server_cpu))
