"""The ``kpb`` command as whole processes: start, import, run, exit."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _sim import Target


def kpb_command() -> list[str]:
    """The ``kpb`` script installed beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("kpb")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("kpb")
    if found is None:
        raise RuntimeError("the kpb command is not installed (pip install -e .)")
    return [found]


def lookup_command(target: Target, numbers: Path, *options: str) -> list[str]:
    """``kpb lookup`` of the numbers in a file, in the applications service, against
    *target* with its registered certificate; JSON Lines on stdout unless *options* say."""
    return [
        *kpb_command(),
        "--base-url",
        target.base_url,
        "--ca-bundle",
        target.ca_cert,
        "--cert",
        target.cert,
        "--key",
        target.key,
        "lookup",
        "--from-file",
        str(numbers),
        "--what",
        "applications",
        *options,
    ]


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def cold_start(target: Target, repeat: int) -> dict[str, Any]:
    """Median wall time of ``kpb --help``, ``kpb ping`` and a bare interpreter.

    ``kpb ping`` calls the simulator process over TLS (``/test`` needs no
    certificate). The bare ``python -c pass`` is the floor no command can go below.
    """
    kpb = kpb_command()
    commands = {
        "python": [sys.executable, "-c", "pass"],
        "help": [*kpb, "--help"],
        "ping": [*kpb, "--base-url", target.base_url, "--ca-bundle", target.ca_cert, "ping"],
    }
    for command in commands.values():  # fill the page cache
        _seconds(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(repeat):
        for name in commands if index % 2 == 0 else reversed(list(commands)):
            times[name].append(_seconds(commands[name]))
    return {name: statistics.median(values) for name, values in times.items()}
