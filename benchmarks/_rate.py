"""The politeness limit as KPB would see it: ``kpb lookup --rate 20/s``, counted by the server.

The ``kpb`` command looks up distinct numbers (one request each, ``--what
applications``) against a simulator of its own, started with ``-v`` so that it logs
every request it answers with a millisecond timestamp. From those timestamps, not from
the client's own account: the rate (requests over the time from the first to the last)
and the most requests in any one-second window, which is what a server's own limit
would count.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from _cli import lookup_command
from _sim import SimulatorProcess, synthetic_cprs

RATE = 20
CONCURRENCY = 8  # as kpb lookup by default: the rate, not the concurrency, is the limit
# A request line in the simulator's log: "2026-11-30 12:00:00,123 kpb_sim INFO ... "GET ..."
_REQUEST = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) kpb_sim INFO \S+ "GET /api/')


def request_times(log: Path) -> list[float]:
    """Seconds (with milliseconds) of each request the simulator logged, in order."""
    times = []
    for line in log.read_text(encoding="utf-8").splitlines():
        found = _REQUEST.match(line)
        if found is not None:
            stamp = dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f")
            times.append(stamp.timestamp())
    return sorted(times)


def most_in_any_window(times: list[float], seconds: float = 1.0) -> int:
    """The most of *times* (sorted) within any half-open window ``[t, t + seconds)``."""
    most = start = 0
    for end, time_ in enumerate(times):
        while times[start] <= time_ - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def rate_limited_batch(directory: Path, numbers: int) -> dict[str, Any]:
    """``kpb lookup --rate 20/s`` over *numbers* distinct numbers, measured at the simulator."""
    cprs = synthetic_cprs(numbers)
    simulator = SimulatorProcess(directory, numbers, ["-v"])
    with simulator as target:
        source = directory / "cprs.txt"
        source.write_text("".join(f"{cpr}\n" for cpr in cprs), encoding="utf-8")
        output = directory / "results.jsonl"
        started = time.perf_counter()
        done = subprocess.run(
            lookup_command(
                target,
                source,
                "--concurrency",
                str(CONCURRENCY),
                "--rate",
                f"{RATE}/s",
                "--output",
                str(output),
            ),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        command_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"kpb lookup exited with {done.returncode}: {done.stderr[-2000:]}")
    results = failed = 0
    with output.open(encoding="utf-8") as lines:
        for line in lines:
            results += 1
            failed += "errors" in json.loads(line)
    times = request_times(directory / "simulator.log")
    span = times[-1] - times[0]
    return {
        "rate": f"{RATE}/s",
        "numbers": numbers,
        "results": results,
        "failed": failed,
        "requests": len(times),
        "requests_per_second": (len(times) - 1) / span,
        "most_in_any_second": most_in_any_window(times),
        "command_seconds": command_seconds,
    }
