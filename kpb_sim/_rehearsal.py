"""Rehearsing what a nightly batch meets: latency, failures, throttling and outages.

Options of ``kpb sim serve`` (and of :class:`Simulator`, as a :class:`Rehearsal`):

- ``--latency MS[±JITTER]``: every answer waits MS milliseconds, plus or minus up to
  JITTER (uniformly), in its connection's own thread, so that other connections are not
  held up.
- ``--fail-rate P``: each request fails with probability P. A failure is, in these
  shares: half a 503 with ``Retry-After: 1`` (as IIS answers when the application
  is down), a quarter a reset connection (no answer at all), a quarter a slow body (the
  real answer, its body sent in ten pieces over :data:`SLOW_BODY_SECONDS`).
- ``--rate-limit N/s``: beyond N requests in any one second, across all connections,
  a request gets 429 with ``Retry-After`` (whole seconds until there is room).
- ``--outage START:DURATION[:refuse]``: from START seconds after the simulator starts,
  for DURATION seconds, every request gets 503 with ``Retry-After`` (the seconds left);
  with ``:refuse``, every connection is closed with a reset as soon as it is accepted,
  so the client fails to connect, and kept-alive connections are reset at their next
  request. Repeatable.
- ``--seed N``: the same seed gives the same sequence of outcomes (failures, their
  kinds, the jitter), in the order in which requests arrive.

The checks run in this order for each request: outage, rate limit, fail rate; the
latency comes on top of every answer, failures included. They apply on both ports.
"""

from __future__ import annotations

import math
import random
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from ._http import Answer, error

__all__ = [
    "SLOW_BODY_SECONDS",
    "Disruption",
    "Latency",
    "Outage",
    "Rehearsal",
    "parse_fail_rate",
    "parse_rate_limit",
]

#: How long a slow body takes to arrive, in pieces.
SLOW_BODY_SECONDS: Final = 2.0
_SLOW_BODY_PIECES: Final = 10
#: Shares of the kinds of failure under --fail-rate.
FAILURE_MIX: Final = (("503", 0.5), ("reset", 0.25), ("slow body", 0.25))
_MAX_MILLISECONDS: Final = 60_000.0

# HTTP.sys's own page for an application that is not running (IIS, as KPB runs on).
_UNAVAILABLE_PAGE: Final = (
    b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">'
    b"\r\n<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n"
    b'<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n'
    b"<BODY><h2>Service Unavailable</h2>\r\n<hr><p>HTTP Error 503. The service is unavailable."
    b"</p>\r\n</BODY></HTML>\r\n"
)

_NUMBER = r"([0-9]+(?:\.[0-9]+)?)"
_LATENCY = re.compile(rf"{_NUMBER}(?:\s*(?:±|\+-|\+/-)\s*{_NUMBER})?")
_RATE = re.compile(r"([0-9]+)\s*/\s*s")
_OUTAGE = re.compile(rf"{_NUMBER}:{_NUMBER}(?::(503|refuse))?")


@dataclass(frozen=True)
class Latency:
    """Milliseconds added before each answer, plus or minus up to ``jitter``."""

    milliseconds: float
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.milliseconds <= _MAX_MILLISECONDS:
            raise ValueError(f"--latency: at most {_MAX_MILLISECONDS:g} milliseconds")
        if not 0 <= self.jitter <= self.milliseconds:
            raise ValueError("--latency: the jitter cannot be more than the latency itself")

    @classmethod
    def parse(cls, text: str) -> Latency:
        """``"50"`` or ``"50±10"`` (also ``50+-10``), in milliseconds."""
        found = _LATENCY.fullmatch(text.strip())
        if found is None:
            raise ValueError(
                f"--latency takes milliseconds with an optional jitter, for example 50 or "
                f"50±10 (or 50+-10), not {text!r}"
            )
        return cls(float(found.group(1)), float(found.group(2) or 0))

    def seconds(self, rng: random.Random) -> float:
        jitter = rng.uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        return (self.milliseconds + jitter) / 1000

    def __str__(self) -> str:
        return f"{self.milliseconds:g} ms" + (f" ± {self.jitter:g}" if self.jitter else "")


@dataclass(frozen=True)
class Outage:
    """A window, in seconds after the start, in which the service is down."""

    start: float
    duration: float
    refuse: bool = False

    def __post_init__(self) -> None:
        if self.start < 0 or self.duration <= 0:
            raise ValueError("--outage: START must be 0 or more and DURATION more than 0")

    @classmethod
    def parse(cls, text: str) -> Outage:
        """``"30:60"`` (503 answers) or ``"30:60:refuse"`` (connections reset)."""
        found = _OUTAGE.fullmatch(text.strip())
        if found is None:
            raise ValueError(
                "--outage takes START:DURATION in seconds after the start, optionally with "
                f":refuse, for example 30:60 or 30:60:refuse, not {text!r}"
            )
        return cls(float(found.group(1)), float(found.group(2)), found.group(3) == "refuse")

    def remaining(self, elapsed: float) -> float | None:
        """Seconds left of the window at *elapsed*; None outside it."""
        end = self.start + self.duration
        return end - elapsed if self.start <= elapsed < end else None

    def __str__(self) -> str:
        what = "connections reset" if self.refuse else "503 answers"
        return f"{self.start:g} s after the start, for {self.duration:g} s: {what}"


def parse_fail_rate(text: str) -> float:
    """A fraction from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        raise ValueError(f"--fail-rate takes a fraction from 0 to 1, for example 0.2, not {text!r}")
    return value


def parse_rate_limit(text: str) -> int:
    """``"20/s"`` -> 20 requests per second."""
    found = _RATE.fullmatch(text.strip())
    if found is None or int(found.group(1)) <= 0:
        raise ValueError(
            "--rate-limit takes a whole number of requests per second, more than 0, for "
            f"example 20/s, not {text!r}"
        )
    return int(found.group(1))


@dataclass(frozen=True)
class Rehearsal:
    """The rehearsal options of one simulator; see the module's description."""

    latency: Latency | None = None
    fail_rate: float = 0.0
    #: Requests per second.
    rate_limit: int | None = None
    outages: tuple[Outage, ...] = ()
    seed: int | None = None
    #: How long a slow body (one kind of failure) takes to arrive.
    slow_body_seconds: float = SLOW_BODY_SECONDS

    def __post_init__(self) -> None:
        if not 0 <= self.fail_rate <= 1:
            raise ValueError("--fail-rate: a fraction from 0 to 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("--rate-limit: more than 0 requests per second")

    def describe(self) -> list[str]:
        """What is rehearsed, a line each."""
        lines = []
        if self.latency is not None:
            lines.append(f"latency {self.latency} before each answer")
        if self.fail_rate:
            mix = ", ".join(f"{share:.0%} {kind}" for kind, share in FAILURE_MIX)
            lines.append(f"fail rate {self.fail_rate:g} ({mix})")
        if self.rate_limit is not None:
            lines.append(f"rate limit {self.rate_limit:g}/s: 429 with Retry-After beyond it")
        lines += [f"outage {outage}" for outage in self.outages]
        drawn = self.fail_rate or (self.latency is not None and self.latency.jitter)
        if drawn and self.seed is not None:
            lines.append(f"seed {self.seed} (--seed {self.seed} repeats these failures and jitter)")
        return lines

    def start(self) -> Rehearser:
        """The running state for a simulator that starts listening now."""
        return Rehearser(self)


@dataclass(frozen=True)
class Disruption:
    """What a rehearsal does to one request: answer in its stead (``answer``), end the
    connection without an answer (``reset``), or send the body in pieces over ``slow``
    seconds."""

    answer: Answer | None = None
    reset: bool = False
    slow: float = 0.0
    #: Ends a slow body's waits early when the simulator stops.
    stopping: threading.Event = field(default_factory=threading.Event, compare=False)

    def send(self, write: Callable[[bytes], object], head: bytes, body: bytes) -> None:
        """Write *head* and *body*: at once, or the body in pieces if ``slow``."""
        if not self.slow or not body:
            write(head + body)
            return
        write(head)
        pieces = min(_SLOW_BODY_PIECES, len(body))
        size = math.ceil(len(body) / pieces)
        for start in range(0, len(body), size):
            if self.stopping.wait(self.slow / pieces):
                return
            write(body[start : start + size])


#: The disruption of a request when nothing is rehearsed.
UNDISTURBED: Final = Disruption()


def reset(connection: socket.socket) -> None:
    """Make the coming close of *connection* a reset (RST) rather than an orderly end."""
    socket.socket.setsockopt(
        connection, socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
    )


class Rehearser:
    """A rehearsal at work: the clock, the random sequence and the requests of the last
    second, shared by every connection of a simulator."""

    def __init__(self, rehearsal: Rehearsal) -> None:
        self.rehearsal = rehearsal
        self._started = time.monotonic()
        # Simulated failures, not secrets: a seed must repeat them.
        self._random = random.Random(rehearsal.seed)  # noqa: S311
        self._lock = threading.Lock()
        self._admitted: deque[float] = deque()
        self._stopping = threading.Event()

    def stop(self) -> None:
        """End every wait (latency, slow bodies) at once."""
        self._stopping.set()

    def _outage(self, now: float) -> tuple[Outage, float] | None:
        for outage in self.rehearsal.outages:
            remaining = outage.remaining(now - self._started)
            if remaining is not None:
                return outage, remaining
        return None

    def refusing(self) -> bool:
        """Whether a new connection is to be refused now (an outage with ``refuse``)."""
        outage = self._outage(time.monotonic())
        return outage is not None and outage[0].refuse

    def disruption(self) -> Disruption:
        """Decide the fate of one request, and wait out its latency."""
        rehearsal = self.rehearsal
        now = time.monotonic()
        with self._lock:
            outcome = self._decide(now)
            delay = rehearsal.latency.seconds(self._random) if rehearsal.latency else 0.0
        if delay > 0:
            self._stopping.wait(delay)
        return outcome

    def _decide(self, now: float) -> Disruption:
        outage = self._outage(now)
        if outage is not None:
            if outage[0].refuse:
                return Disruption(reset=True)
            return self._unavailable(outage[1])
        limit = self.rehearsal.rate_limit
        if limit is not None:
            while self._admitted and self._admitted[0] <= now - 1.0:
                self._admitted.popleft()
            if len(self._admitted) >= limit:
                wait = self._admitted[0] + 1.0 - now
                message = f"Rate limit exceeded: at most {limit:g} requests per second."
                return Disruption(error(429, message, ("Retry-After", _seconds(wait))))
            self._admitted.append(now)
        if self.rehearsal.fail_rate and self._random.random() < self.rehearsal.fail_rate:
            kind = self._random.choices(
                [kind for kind, _ in FAILURE_MIX], [share for _, share in FAILURE_MIX]
            )[0]
            if kind == "reset":
                return Disruption(reset=True)
            if kind == "slow body":
                return Disruption(slow=self.rehearsal.slow_body_seconds, stopping=self._stopping)
            return self._unavailable(1.0)
        return UNDISTURBED

    @staticmethod
    def _unavailable(retry_after: float) -> Disruption:
        return Disruption(
            Answer(
                503,
                _UNAVAILABLE_PAGE,
                "text/html; charset=us-ascii",
                (("Retry-After", _seconds(retry_after)),),
            )
        )


def _seconds(value: float) -> str:
    """Retry-After in whole seconds, at least 1."""
    return str(max(1, math.ceil(value)))
