"""What a run is doing while it runs: phase, requests sent, findings so far.

Against a real service, at a polite 3 requests a second, a run takes a minute or more.
On a terminal one line is rewritten in place; anywhere else (a CI log, a file) a plain
line is printed when the phase changes and at most every ``PLAIN_INTERVAL`` seconds.
"""

from __future__ import annotations

import threading
import time
from typing import Final, TextIO

__all__ = ["Progress"]

#: Seconds between plain lines within one phase.
PLAIN_INTERVAL: Final = 15.0
_REDRAW_INTERVAL: Final = 0.1


class Progress:
    """A live report of one run on *stream* (None: silent)."""

    def __init__(self, stream: TextIO | None, *, interactive: bool | None = None) -> None:
        self._stream = stream
        isatty = getattr(stream, "isatty", None)
        self._interactive = interactive if interactive is not None else bool(isatty and isatty())
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._phase = ""
        self._requests = 0
        self._violations = 0
        self._contradicted = 0
        self._last = 0.0
        self._width = 0

    def phase(self, name: str) -> None:
        """The run entered *name*, for example "schemathesis coverage phase"."""
        with self._lock:
            if name == self._phase:
                return
            self._phase = name
            self._show(force=True)

    def request(self) -> None:
        with self._lock:
            self._requests += 1
            self._show()

    def findings(self, violations: int, contradicted: int) -> None:
        with self._lock:
            changed = (violations, contradicted) != (self._violations, self._contradicted)
            self._violations, self._contradicted = violations, contradicted
            self._show(force=changed and self._interactive)

    def close(self) -> None:
        """Clear the live line, so that what follows starts on a clean line."""
        with self._lock:
            if self._stream is not None and self._interactive and self._width:
                self._stream.write("\r" + " " * self._width + "\r")
                self._stream.flush()
            self._width = 0

    def line(self) -> str:
        elapsed = time.monotonic() - self._started
        plural = "" if self._requests == 1 else "s"
        return (
            f"kpb contract: {self._phase or 'starting'} | {self._requests} request{plural} | "
            f"{self._violations} violations, {self._contradicted} assumptions contradicted | "
            f"{elapsed:.0f} s"
        )

    def _show(self, *, force: bool = False) -> None:
        if self._stream is None:
            return
        now = time.monotonic()
        interval = _REDRAW_INTERVAL if self._interactive else PLAIN_INTERVAL
        if not force and now - self._last < interval:
            return
        self._last = now
        text = self.line()
        if self._interactive:
            padding = " " * max(0, self._width - len(text))
            self._stream.write("\r" + text + padding)
            self._width = len(text)
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
