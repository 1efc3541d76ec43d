"""The options of ``kpb sim serve`` that replay recordings and rehearse failures."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from kpb_sim import (
    MISS_POLICIES,
    Latency,
    MissPolicy,
    Outage,
    Rehearsal,
    Replay,
    ReplayError,
    parse_fail_rate,
    parse_rate_limit,
    read_allowed_cprs,
)

__all__ = ["make_rehearsal", "make_replay", "rehearsal_options", "replay_options"]

F = TypeVar("F", bound=Callable[..., Any])

_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)


def _apply(function: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        function = option(function)
    return function


def replay_options(function: F) -> F:
    """--replay, --replay-miss, --allow-cpr, --allow-cpr-file."""
    return _apply(
        function,
        [
            click.option(
                "--replay",
                type=_FILE,
                multiple=True,
                metavar="FILE.har",
                help="Serve the answers recorded in this HAR file (kpb contract's "
                "exchanges.har) to callers the simulator lets through. Repeatable: for the "
                "same request, a later file wins.",
            ),
            click.option(
                "--replay-miss",
                type=click.Choice(MISS_POLICIES),
                default="fallback",
                show_default=True,
                help="What a request with no recorded answer gets: the simulator's own "
                "answer (Bilag A data), or a 404 naming the miss.",
            ),
            click.option(
                "--allow-cpr",
                multiple=True,
                metavar="NUMBER",
                help="A CPR number other than the seven test numbers that a recording may "
                "hold (it is fictitious). Repeatable; prefer --allow-cpr-file, which keeps "
                "numbers out of the shell's history.",
            ),
            click.option(
                "--allow-cpr-file",
                type=_FILE,
                metavar="FILE",
                help="A file of such CPR numbers, one a line (# comments).",
            ),
        ],
    )


def rehearsal_options(function: F) -> F:
    """--latency, --fail-rate, --rate-limit, --outage, --seed."""
    return _apply(
        function,
        [
            click.option(
                "--latency",
                metavar="MS[±JITTER]",
                help="Wait this many milliseconds before each answer, for example 50 or "
                "50±10 (also 50+-10).",
            ),
            click.option(
                "--fail-rate",
                metavar="P",
                help="Fail this fraction of requests: half 503 with Retry-After, a quarter "
                "reset connections, a quarter slow bodies.",
            ),
            click.option(
                "--rate-limit",
                metavar="N/s",
                help="Answer 429 with Retry-After beyond N requests in any one second.",
            ),
            click.option(
                "--outage",
                multiple=True,
                metavar="START:DURATION[:refuse]",
                help="Be down from START seconds after the start, for DURATION seconds: 503 "
                "with Retry-After, or with :refuse, reset every connection. Repeatable.",
            ),
            click.option(
                "--seed",
                type=int,
                help="Repeat the failures and jitter of a run (default: random, and shown).",
            ),
        ],
    )


def make_replay(
    files: tuple[Path, ...],
    miss: str,
    allow_cpr: tuple[str, ...],
    allow_cpr_file: Path | None,
) -> Replay | None:
    """The replay the options ask for; ReplayError with one line if it cannot be had."""
    if not files:
        if allow_cpr or allow_cpr_file is not None or miss != "fallback":
            raise ReplayError("--replay-miss, --allow-cpr and --allow-cpr-file go with --replay")
        return None
    allowed = read_allowed_cprs(allow_cpr, allow_cpr_file)
    return Replay.load(files, miss=cast(MissPolicy, miss), allowed_cprs=allowed)


def make_rehearsal(
    latency: str | None,
    fail_rate: str | None,
    rate_limit: str | None,
    outage: tuple[str, ...],
    seed: int | None,
) -> Rehearsal | None:
    """The rehearsal the options ask for; ValueError with one line for a bad value.

    Without --seed, a seed is drawn here, so that it can be shown and the run repeated.
    """
    if latency is None and fail_rate is None and rate_limit is None and not outage:
        return None
    return Rehearsal(
        latency=Latency.parse(latency) if latency is not None else None,
        fail_rate=parse_fail_rate(fail_rate) if fail_rate is not None else 0.0,
        rate_limit=parse_rate_limit(rate_limit) if rate_limit is not None else None,
        outages=tuple(Outage.parse(text) for text in outage),
        seed=seed if seed is not None else random.SystemRandom().randrange(2**32),
    )
