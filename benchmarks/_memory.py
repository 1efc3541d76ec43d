"""Peak memory of batch lookups, each in a child process of its own.

A batch that kept its responses would grow with its size; one that streams stays
flat. Each batch runs in a fresh process (the library through ``_memory_child.py``,
and the ``kpb lookup`` command), whose peak resident set size is read from the
kernel. Comparing 1,000 with 10,000 numbers shows whether memory grows with the
batch.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _cli import lookup_command
from _sim import Target, synthetic_cprs

_CHILD = Path(__file__).with_name("_memory_child.py")
CONCURRENCY = 8  # as kpb lookup by default
_POLL_SECONDS = 0.005


def _peak_rss_mb(command: list[str], output: Path) -> float:
    """Run *command* with stdout to *output*; its peak RSS in MB (VmHWM).

    Not ``ru_maxrss``: on Linux a child's ``ru_maxrss`` counts the memory of the
    process it was forked from, which here is this benchmark's. VmHWM is the high-water
    mark of the child's own memory after ``exec``; it only grows, so reading it every
    few milliseconds until the child ends gives its peak.
    """
    log = output.with_suffix(".stderr")
    peak_kib = 0
    with output.open("wb") as stdout, log.open("wb") as stderr:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            peak_kib = max(peak_kib, _high_water_kib(status))
            time.sleep(_POLL_SECONDS)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{command[:2]} exited with {process.returncode}: {tail}")
    if peak_kib == 0:
        raise RuntimeError(f"no VmHWM read from {status} (Linux /proc needed)")
    return peak_kib / 1024


def _high_water_kib(status: Path) -> int:
    try:
        text = status.read_text(encoding="ascii")
    except OSError:  # ended between poll() and here
        return 0
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0  # a process that is ending has no memory left to report


def _library(target: Target, numbers: Path, keep: bool = False) -> dict[str, Any]:
    output = numbers.with_suffix(".kept.json" if keep else ".library.json")
    peak = _peak_rss_mb(
        [
            sys.executable,
            str(_CHILD),
            target.base_url,
            target.ca_cert,
            target.cert,
            target.key,
            str(numbers),
            str(CONCURRENCY),
            *(["keep"] if keep else []),
        ],
        output,
    )
    counts = json.loads(output.read_text(encoding="utf-8"))
    return {"peak_rss_mb": peak, **counts}


def _command(target: Target, numbers: Path) -> dict[str, Any]:
    output = numbers.with_suffix(".command.jsonl")
    peak = _peak_rss_mb(lookup_command(target, numbers, "--concurrency", str(CONCURRENCY)), output)
    results = failed = 0
    with output.open(encoding="utf-8") as lines:
        for line in lines:
            results += 1
            failed += "errors" in json.loads(line)
    return {"peak_rss_mb": peak, "results": results, "failed": failed}


def batch_memory(target: Target, directory: Path, sizes: list[int], extras: bool) -> dict[str, Any]:
    """Peak RSS of ``lookup_many`` for each batch size.

    With *extras*, also of ``kpb lookup`` for each size, and of the largest batch when
    every result is kept (the control: what buffering would look like).
    """
    numbers = synthetic_cprs(max(sizes))
    out: dict[str, Any] = {"concurrency": CONCURRENCY, "library": {}, "command": {}, "kept": {}}
    files = {}
    for size in sizes:
        files[size] = directory / f"cprs-{size}.txt"
        files[size].write_text("".join(f"{cpr}\n" for cpr in numbers[:size]), encoding="utf-8")
        out["library"][str(size)] = _library(target, files[size])
        if extras:
            out["command"][str(size)] = _command(target, files[size])
    if extras:
        out["kept"][str(max(sizes))] = _library(target, files[max(sizes)], keep=True)
    return out
