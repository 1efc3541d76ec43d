"""Timing on a noisy machine: alternate what is compared, repeat, take the median.

Two contenders measured one after the other drift apart with everything else the
machine does; run in alternating blocks (A B, B A, A B...), each round's pair shares
the same conditions, and the median of the per-round ratios cancels most of the drift.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence

Block = Callable[[], int]  # runs some operations, returns how many


def alternate(blocks: Mapping[str, Block], rounds: int) -> dict[str, list[float]]:
    """Operations per second of each block, per round, in alternating order."""
    rates: dict[str, list[float]] = {name: [] for name in blocks}
    order = list(blocks)
    for index in range(rounds):
        for name in order if index % 2 == 0 else reversed(order):
            started = time.perf_counter()
            count = blocks[name]()
            rates[name].append(count / (time.perf_counter() - started))
    return rates


def median_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of the per-round ratios."""
    return statistics.median(n / d for n, d in zip(numerators, denominators, strict=True))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which *fraction* of *values* lie (nearest rank)."""
    ordered = sorted(values)
    rank = min(max(math.ceil(fraction * len(ordered)), 1), len(ordered))
    return ordered[rank - 1]


def time_per_call(operation: Callable[[], object], number: int, repeat: int) -> float:
    """Seconds per call: the median over *repeat* runs of *number* calls.

    The median rather than the minimum, so that the figure includes what every call
    pays on a busy machine rather than the luckiest run.
    """
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            operation()
        runs.append((time.perf_counter() - started) / number)
    return statistics.median(runs)
