"""A batch's politeness limit: at most so many requests a second, minute or hour.

KPB's capacity is not ours to probe, and every municipality shares it. A batch with a
rate sends its requests evenly spaced, never in bursts: with ``20/s``, one every 50 ms
(and a little more, see :data:`MARGIN`), so that no one-second window ever holds more
than 20. What is counted is requests, because they are KPB's load: a number looked up
in both services is two, and every retry is one more.

A 429 or 503 with ``Retry-After`` holds the whole batch, not only the call that got it:
no request of the batch goes out before that time (up to the retry policy's
``max_retry_after``), and then they go out spaced again. A batch without a rate is
still held so.

``"auto"``, the default of ``lookup_many`` and ``kpb lookup``, is :data:`DEFAULT_RATE`
against any host but this machine's loopback, where the simulator runs and nobody else
is served, and no limit there.

The contract suite's ``--rate-limit`` is read by :func:`parse_rate` too.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import re
import threading
import time
from typing import Any, Final

from ._redact import logger
from ._urls import is_loopback

__all__ = ["DEFAULT_RATE", "MARGIN", "PACER", "Pacer", "batch_rate", "check_rate", "parse_rate"]

#: The rate of a batch against KPB, unless told otherwise: 10 requests a second, that is
#: 5 numbers a second in both services, 18,000 an hour; more than a municipality's
#: nightly batch needs, and a small share of what a web service is built for.
DEFAULT_RATE: Final = "10/s"
#: How much longer than ``period / count`` the gap between two requests is. KPB counts
#: our requests as they arrive, after the network has moved them a few milliseconds
#: closer together or further apart; 1% of a second over a window absorbs that.
MARGIN: Final = 0.01

_RATE: Final = re.compile(r"^\s*([1-9][0-9]*)\s*/\s*([smh])\s*$")
_UNITS: Final = {"s": "second", "m": "minute", "h": "hour"}
_SECONDS: Final = {"second": 1, "minute": 60, "hour": 3600}

# httpcore's trace event as a request starts to go out (http11. or http2.).
_GOES_OUT: Final = "send_request_headers.started"

#: The pacer of the batch a call is part of: a batch runs each lookup with it set, so
#: that the client's own methods (or a subclass's) pace their calls.
PACER: contextvars.ContextVar[Pacer | None] = contextvars.ContextVar("kpb_pacer", default=None)


def parse_rate(text: str) -> tuple[int, str]:
    """``"3/s"`` -> ``(3, "second")``; ValueError for anything else."""
    found = _RATE.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a rate: write it as N/s, N/m or N/h, for example 3/s")
    return int(found.group(1)), _UNITS[found.group(2)]


def check_rate(rate: str | None) -> str | None:
    """*rate* as given if a batch can keep it: N/s, N/m, N/h, ``"auto"``, ``"none"`` or
    None; ValueError with one line otherwise."""
    if rate is not None and rate.strip().lower() not in ("auto", "none"):
        try:
            parse_rate(rate)
        except ValueError as error:
            raise ValueError(f"{error}; or auto, or none") from None
    return rate


def batch_rate(rate: str | None, base_url: str) -> tuple[int, str] | None:
    """The rate a batch against *base_url* keeps: *rate* parsed, ``"auto"`` resolved
    (see the module's description), or None for no limit (``None`` or ``"none"``)."""
    word = check_rate(rate)
    if word is None or word.strip().lower() == "none":
        return None
    if word.strip().lower() == "auto":
        return None if is_loopback(base_url) else parse_rate(DEFAULT_RATE)
    return parse_rate(word)


class Pacer:
    """Lets a batch's requests go one at a time, spaced by the rate, and holds them all
    while KPB has asked to wait.

    It is a token bucket of capacity one: a request goes when the gap since the last
    one is at least ``interval``, measured from when that one actually went (its turn,
    or later, as it went out on the wire: see :meth:`went`), so that neither a late
    wake-up nor a TLS handshake makes the next gap shorter. Requests wait their turn in order,
    but a retry goes before the first attempts waiting: its call's budget is running,
    theirs has not started, and after a ``Retry-After`` the calls that were told to wait
    are not sent to the back again and again until their attempts run out.
    """

    def __init__(self, rate: tuple[int, str] | None) -> None:
        self.rate = rate
        #: Seconds between two requests; 0 for no limit.
        self.interval = 0.0 if rate is None else _SECONDS[rate[1]] / rate[0] * (1 + MARGIN)
        self._last = -float("inf")
        self._held_until = -float("inf")
        # First attempts queue for the turn one at a time; retries queue for it directly.
        self._turn, self._first = threading.Lock(), threading.Lock()
        self._async_turn, self._async_first = asyncio.Lock(), asyncio.Lock()

    def went(self) -> None:
        """A request admitted earlier goes out now: the next is spaced from now.

        A request that had to open a connection goes out a TLS handshake after its
        turn; spaced from its turn, the next request, on a connection already open,
        would follow it closer than the interval.
        """
        self._last = max(self._last, time.monotonic())

    def trace(self) -> dict[str, Any]:
        """Request extensions that call :meth:`went` as the request goes out (httpcore's
        ``trace``); none without a rate."""
        if not self.interval:
            return {}

        def trace(event: str, info: dict[str, Any]) -> None:
            if event.endswith(_GOES_OUT):
                self.went()

        return {"trace": trace}

    def trace_async(self) -> dict[str, Any]:
        """:meth:`trace` for the async client, whose trace callback is a coroutine."""
        if not self.interval:
            return {}

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event.endswith(_GOES_OUT):
                self.went()

        return {"trace": trace}

    def hold(self, seconds: float) -> None:
        """No request goes out within *seconds* from now (a ``Retry-After``)."""
        until = time.monotonic() + seconds
        if until > self._held_until:
            self._held_until = until
            logger.info("KPB asked to wait: the batch holds its requests for %.1f s", seconds)

    def _wait(self, deadline: float | None) -> float | None:
        """Seconds to wait for the turn; 0 takes it now; None if it comes after *deadline*."""
        now = time.monotonic()
        ready = max(self._last + self.interval, self._held_until, now)
        if deadline is not None and ready > deadline:
            return None
        if ready <= now:
            self._last = now
            return 0.0
        return ready - now

    def admit(self, retry_until: float | None = None) -> bool:
        """Wait for the turn of one request; True once it may go.

        A retry gives *retry_until*, the end of its call's budget (a
        ``time.monotonic()``): it goes before the first attempts waiting, and gets
        False at once if its turn would come after that.
        """
        queue = contextlib.nullcontext() if retry_until is not None else self._first
        with queue, self._turn:
            while (wait := self._wait(retry_until)) != 0.0:
                if wait is None:
                    return False
                time.sleep(wait)
        return True

    async def admit_async(self, retry_until: float | None = None) -> bool:
        """:meth:`admit` for a task: waits without blocking the event loop."""
        queue = contextlib.nullcontext() if retry_until is not None else self._async_first
        async with queue, self._async_turn:
            while (wait := self._wait(retry_until)) != 0.0:
                if wait is None:
                    return False
                await asyncio.sleep(wait)
        return True
