"""kpb benchmarks against the simulator, over real mutual TLS on loopback.

    python benchmarks/run.py [--quick] [--json FILE]

Runs every measurement of benchmarks/README.md in one go, prints a table, and with
--json writes the figures to FILE. --quick uses small sizes and few repeats, as a smoke
run; its figures are rough. The simulator runs in a separate process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from _batch import batch_by_concurrency
from _cli import cold_start
from _latency import CONCURRENCIES as LATENCY_CONCURRENCIES
from _latency import LATENCY_MS, latency_bound
from _lookups import client_over_raw, pooled_over_fresh
from _memory import batch_memory
from _parsing import parse_steps
from _rate import RATE, rate_limited_batch
from _sim import SimulatorProcess, Target, bilag_a_cprs, synthetic_cprs

CONCURRENCIES = [1, 4, 16, 64]
BATCH_SIZES = [1_000, 10_000]

# Targets of the project: (key, comparison, bound).
TARGETS = {
    "client_over_raw_throughput": (">=", 0.9),
    "client_over_raw_url_throughput": (">=", 0.95),
    "parse_over_json_loads": ("<=", 6.0),
    "pooled_over_fresh_speedup": (">=", 5.0),
    "cli_help_seconds": ("<", 0.3),
    "batch_10k_peak_rss_mb": ("<", 150.0),
}
#: The latency-bound batch: efficiency of lookup_many at this concurrency.
LATENCY_TARGET = ("32", ">=", 0.9)
#: ``kpb lookup --rate 20/s``: the rate the server sees, within this share of 20/s.
RATE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Sizes:
    lookup_rounds: int
    lookup_block: int
    pooled_rounds: int
    pooled_block: int
    fresh_block: int
    new_client_block: int
    batch_lookups: int
    batch_rounds: int
    parse_number: int
    parse_repeat: int
    cli_repeat: int
    memory_extras: bool
    latency_per_task: int
    latency_rounds: int
    rate_numbers: int


QUICK = Sizes(
    lookup_rounds=3,
    lookup_block=56,
    pooled_rounds=2,
    pooled_block=56,
    fresh_block=14,
    new_client_block=2,
    batch_lookups=640,
    batch_rounds=1,
    parse_number=200,
    parse_repeat=5,
    cli_repeat=3,
    memory_extras=False,
    latency_per_task=3,
    latency_rounds=1,
    rate_numbers=100,
)
FULL = Sizes(
    lookup_rounds=21,
    lookup_block=210,
    pooled_rounds=9,
    pooled_block=210,
    fresh_block=42,
    new_client_block=7,
    batch_lookups=2_100,
    batch_rounds=3,
    parse_number=2_000,
    parse_repeat=15,
    cli_repeat=15,
    memory_extras=True,
    latency_per_task=20,
    latency_rounds=5,
    rate_numbers=1_000,
)


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "httpx": metadata.version("httpx"),
        "kpb": metadata.version("kpb"),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        # Other work on a shared machine shows here: 1, 5 and 15 minute averages.
        "load_average_after": list(os.getloadavg()),
    }


def _step(title: str) -> float:
    print(f"... {title}", file=sys.stderr, flush=True)
    return time.perf_counter()


def measure(target: Target, directory: Path, sizes: Sizes) -> dict[str, Any]:
    mix = bilag_a_cprs()
    details: dict[str, Any] = {}

    _step("client against raw httpx")
    details["lookups"] = client_over_raw(target, mix, sizes.lookup_rounds, sizes.lookup_block)

    _step("pooled against fresh connections")
    details["pooling"] = pooled_over_fresh(
        target,
        mix,
        sizes.pooled_rounds,
        sizes.pooled_block,
        sizes.fresh_block,
        sizes.new_client_block,
    )

    _step("batch lookups by concurrency")
    details["batch"] = batch_by_concurrency(
        target, synthetic_cprs(sizes.batch_lookups), CONCURRENCIES, sizes.batch_rounds
    )

    _step("parsing one body")
    body = _applications_body(target, mix[0])
    details["parsing"] = parse_steps(body, sizes.parse_number, sizes.parse_repeat)

    _step("kpb command cold start")
    details["cli"] = cold_start(target, sizes.cli_repeat)

    _step("batch memory")
    details["memory"] = batch_memory(target, directory, BATCH_SIZES, sizes.memory_extras)

    _step(f"latency-bound batches (simulator with --latency {LATENCY_MS})")
    count = max(LATENCY_CONCURRENCIES) * sizes.latency_per_task
    simulator = SimulatorProcess(directory / "latency", count, ["--latency", str(LATENCY_MS)])
    with simulator as slow:
        details["latency"] = latency_bound(
            slow,
            synthetic_cprs(count),
            sizes.latency_per_task,
            sizes.latency_rounds,
            simulator.cpu_seconds,
        )
    at_latency = details["latency"]["by_concurrency"]

    _step(f"kpb lookup --rate {RATE}/s over {sizes.rate_numbers:,} numbers")
    details["rate"] = rate_limited_batch(directory / "rate", sizes.rate_numbers)

    library = details["memory"]["library"]
    return {
        "client_over_raw_throughput": details["lookups"]["client_over_raw"],
        "client_over_raw_url_throughput": details["lookups"]["client_over_raw_url"],
        "pooled_over_fresh_speedup": details["pooling"]["pooled_over_fresh"],
        "batch_throughput_by_concurrency": details["batch"]["by_concurrency"],
        "parse_over_json_loads": details["parsing"]["parse_over_json_loads"],
        "cli_help_seconds": details["cli"]["help"],
        "cli_ping_seconds": details["cli"]["ping"],
        "batch_10k_peak_rss_mb": library["10000"]["peak_rss_mb"],
        "batch_1k_peak_rss_mb": library["1000"]["peak_rss_mb"],
        "batch_latency_efficiency": {c: f["kpb"]["efficiency"] for c, f in at_latency.items()},
        "raw_latency_efficiency": {c: f["raw"]["efficiency"] for c, f in at_latency.items()},
        "lookup_p99_ms_at_latency": {
            c: {name: f[name]["p99_ms"] for name in ("kpb", "raw")} for c, f in at_latency.items()
        },
        "rate_limited_requests_per_second": details["rate"]["requests_per_second"],
        "rate_limited_most_in_one_second": details["rate"]["most_in_any_second"],
        "details": details,
    }


def _applications_body(target: Target, cpr: str) -> bytes:
    import httpx

    from kpb_ext import create_ssl_context

    context = create_ssl_context(target.certificate(), ca_bundle=target.ca_cert)
    with httpx.Client(base_url=target.base_url, verify=context) as http:
        response = http.get("/Application", params={"cpr": cpr})
        response.raise_for_status()
        return response.content


def table(results: dict[str, Any]) -> str:
    details = results["details"]
    lookups, pooling = details["lookups"], details["pooling"]
    parsing, memory = details["parsing"], details["memory"]
    rows: list[tuple[str, str]] = []

    def row(label: str, value: str) -> None:
        rows.append((label, value))

    def verdict(key: str) -> str:
        comparison, bound = TARGETS[key]
        return _verdict(results[key], comparison, bound)

    us = lookups["us_per_lookup"]
    row(
        "client / raw httpx, lookups per second",
        f"{results['client_over_raw_throughput']:.3f}" + verdict("client_over_raw_throughput"),
    )
    row(
        "  µs per lookup: raw | URL string | +from_dict | client",
        " | ".join(f"{us[k]:.0f}" for k in ("raw", "raw_url", "generated", "client")),
    )
    row(
        "  client / raw httpx with a URL string",
        f"{lookups['client_over_raw_url']:.3f}" + verdict("client_over_raw_url_throughput"),
    )
    row("  (URL string + from_dict) / URL string", f"{lookups['generated_over_raw_url']:.3f}")
    row("  client / (URL string + from_dict)", f"{lookups['client_over_generated']:.3f}")
    ms = pooling["ms_per_lookup"]
    row(
        "pooled / fresh connection, speedup",
        f"{results['pooled_over_fresh_speedup']:.2f}x" + verdict("pooled_over_fresh_speedup"),
    )
    row(
        "  per lookup: pooled | fresh conn. | new client",
        f"{ms['pooled']:.2f} | {ms['fresh']:.2f} | {ms['new_client']:.2f} ms",
    )
    for level, figures in results["batch_throughput_by_concurrency"].items():
        row(
            f"batch, concurrency {level}",
            f"{figures['throughput']:.0f}/s  p50 {figures['p50_ms']:.2f} ms"
            f"  p99 {figures['p99_ms']:.2f} ms",
        )
    steps = parsing["us_per_body"]
    row(
        "parse (models + helpers) / json.loads",
        f"{results['parse_over_json_loads']:.1f}x"
        + verdict("parse_over_json_loads")
        + f"  ({parsing['body_bytes']} B body, "
        f"{parsing['applications']} applications, {parsing['events']} events)",
    )
    row(
        "  µs: json | shape | from_dict | helpers | whole",
        " | ".join(
            f"{steps[k]:.1f}"
            for k in ("json_loads", "shape_check", "from_dict", "helpers", "whole")
        ),
    )
    row("kpb --help", f"{results['cli_help_seconds']:.3f} s" + verdict("cli_help_seconds"))
    row("kpb ping (simulator process)", f"{results['cli_ping_seconds']:.3f} s")
    row("python -c pass", f"{details['cli']['python']:.3f} s")
    labels = {
        "library": "lookup_many",
        "command": "kpb lookup",
        "kept": "lookup_many, results kept (control)",
    }
    for kind, label in labels.items():
        for size, figures in memory[kind].items():
            value = f"{figures['peak_rss_mb']:.1f} MB"
            if kind == "library" and size == "10000":
                value += verdict("batch_10k_peak_rss_mb")
            if figures["failed"]:
                value += f"  ({figures['failed']} of {figures['results']} failed)"
            row(f"peak RSS, {label} of {int(size):,} numbers", value)
    at_latency = details["latency"]["by_concurrency"]
    level, comparison, bound = LATENCY_TARGET
    for concurrency, figures in at_latency.items():
        kpb, raw = figures["kpb"], figures["raw"]
        value = (
            f"efficiency {kpb['efficiency']:.2f} (raw {raw['efficiency']:.2f})"
            f"  p50 {kpb['p50_ms']:.0f} ({raw['p50_ms']:.0f})"
            f"  p99 {kpb['p99_ms']:.0f} ({raw['p99_ms']:.0f}) ms"
            f"  CPU/lookup {kpb['client_cpu_ms_per_lookup']:.2f}"
            f" ({raw['client_cpu_ms_per_lookup']:.2f})"
            f" + {kpb['simulator_cpu_ms_per_lookup']:.2f} ms"
        )
        if concurrency == level:
            value += _verdict(kpb["efficiency"], comparison, bound)
        row(f"lookup_many at {LATENCY_MS} ms, concurrency {concurrency}", value)
    rate = details["rate"]
    per_second = results["rate_limited_requests_per_second"]
    most = results["rate_limited_most_in_one_second"]
    low, high = RATE * (1 - RATE_TOLERANCE), RATE * (1 + RATE_TOLERANCE)
    met = low <= per_second <= high and most <= RATE
    row(
        f"kpb lookup --rate {rate['rate']}, {rate['numbers']:,} numbers (at the simulator)",
        f"{per_second:.2f}/s, at most {most} in any 1 s"
        f"  (target {RATE} ± {RATE_TOLERANCE:.0%}, at most {RATE}: {'met' if met else 'MISSED'})"
        + (f"  ({rate['failed']} of {rate['results']} failed)" if rate["failed"] else ""),
    )
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def _verdict(value: float, comparison: str, bound: float) -> str:
    met = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[comparison]
    return f"  (target {comparison} {bound:g}: {'met' if met else 'MISSED'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    arguments = parser.parse_args()
    sizes = QUICK if arguments.quick else FULL

    started, load_before = time.perf_counter(), list(os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="kpb-bench-") as name:
        directory = Path(name)
        synthetic = max(sizes.batch_lookups, *BATCH_SIZES)
        with SimulatorProcess(directory, synthetic) as target:
            results = measure(target, directory, sizes)
    results = {
        **{key: value for key, value in results.items() if key != "details"},
        "quick": arguments.quick,
        "seconds": time.perf_counter() - started,
        "machine": {**machine(), "load_average_before": load_before},
        "simulator": "separate process (python -m kpb_sim), mutual TLS on 127.0.0.1",
        "details": results["details"],
    }
    print(table(results))
    host = results["machine"]
    print(
        f"({results['seconds']:.0f} s; {host['cpu']}, {host['cores']} cores, Python "
        f"{host['python']}; load average {host['load_average_before'][0]:.1f} before, "
        f"{host['load_average_after'][0]:.1f} after)"
    )
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
