"""``benchmarks/run.py --quick`` runs end to end and writes every figure.

No figure is compared with a bound: the machines are shared and noisy. What is
checked is that each measurement ran, every lookup in it succeeded, and the JSON has
each key with a value of the right kind.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "benchmarks" / "run.py"

pytestmark = [pytest.mark.network, pytest.mark.slow]


def positive(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def test_every_key_is_written_with_a_number(quick_run: tuple[dict[str, Any], str]) -> None:
    results, _ = quick_run
    for key in (
        "client_over_raw_throughput",
        "client_over_raw_url_throughput",
        "pooled_over_fresh_speedup",
        "parse_over_json_loads",
        "cli_help_seconds",
        "cli_ping_seconds",
        "batch_10k_peak_rss_mb",
        "batch_1k_peak_rss_mb",
    ):
        assert positive(results[key]), (key, results[key])
    assert results["quick"] is True
    assert results["machine"]["cores"] >= 1


def test_batch_figures_for_each_concurrency(quick_run: tuple[dict[str, Any], str]) -> None:
    results, _ = quick_run
    by_concurrency = results["batch_throughput_by_concurrency"]
    assert list(by_concurrency) == ["1", "4", "16", "64"]
    for figures in by_concurrency.values():
        assert set(figures) == {"throughput", "throughput_by_round", "p50_ms", "p99_ms"}
        assert all(positive(figures[key]) for key in ("throughput", "p50_ms", "p99_ms"))
        assert all(positive(rate) for rate in figures["throughput_by_round"])
        assert figures["p50_ms"] <= figures["p99_ms"]
    assert results["details"]["batch"]["failed"] == 0


def test_latency_bound_figures_for_each_concurrency(quick_run: tuple[dict[str, Any], str]) -> None:
    results, table = quick_run
    latency = results["details"]["latency"]
    assert latency["latency_ms"] == 50
    assert list(latency["by_concurrency"]) == ["8", "32", "64"]
    for level, figures in latency["by_concurrency"].items():
        for name in ("kpb", "raw"):
            one = figures[name]
            assert positive(one["efficiency"])
            assert one["efficiency"] <= 1.0  # nothing beats the injected latency
            # No lookup answers before the injected latency.
            assert 50 <= one["p50_ms"] <= one["p99_ms"]
            assert one["throughput"] == pytest.approx(one["efficiency"] * int(level) / 0.05)
        assert results["batch_latency_efficiency"][level] == figures["kpb"]["efficiency"]
        assert results["raw_latency_efficiency"][level] == figures["raw"]["efficiency"]
        assert results["lookup_p99_ms_at_latency"][level] == {
            "kpb": figures["kpb"]["p99_ms"],
            "raw": figures["raw"]["p99_ms"],
        }
    assert "lookup_many at 50 ms, concurrency 32" in table


def test_the_rate_limited_batch_as_the_simulator_counted_it(
    quick_run: tuple[dict[str, Any], str],
) -> None:
    results, table = quick_run
    rate = results["details"]["rate"]
    assert rate["rate"] == "20/s"
    assert rate == {**rate, "numbers": 100, "results": 100, "failed": 0, "requests": 100}
    assert positive(rate["requests_per_second"])
    assert type(rate["most_in_any_second"]) is int
    assert rate["most_in_any_second"] >= 1
    assert results["rate_limited_requests_per_second"] == rate["requests_per_second"]
    assert results["rate_limited_most_in_one_second"] == rate["most_in_any_second"]
    assert "kpb lookup --rate 20/s, 100 numbers (at the simulator)" in table


def test_memory_batches_looked_up_every_number(quick_run: tuple[dict[str, Any], str]) -> None:
    results, _ = quick_run
    library = results["details"]["memory"]["library"]
    assert library["10000"] == {**library["10000"], "results": 10_000, "failed": 0}
    assert library["1000"] == {**library["1000"], "results": 1_000, "failed": 0}
    assert results["batch_10k_peak_rss_mb"] == library["10000"]["peak_rss_mb"]


def test_parsing_steps_and_table(quick_run: tuple[dict[str, Any], str]) -> None:
    results, table = quick_run
    parsing = results["details"]["parsing"]
    assert (parsing["applications"], parsing["events"], parsing["exams"]) == (3, 11, 1)
    steps = parsing["us_per_body"]
    assert all(positive(steps[name]) for name in ("json_loads", "from_dict", "whole"))
    assert results["parse_over_json_loads"] == pytest.approx(steps["whole"] / steps["json_loads"])
    for label in ("client / raw httpx", "pooled / fresh connection", "kpb --help", "peak RSS"):
        assert label in table
