"""Counting the connections a client opens, from httpcore's own log."""

from __future__ import annotations

import logging


class Connects(logging.Handler):
    """Counts the TCP connections httpcore opens (its DEBUG log says so for each)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("connect_tcp.started"):
            self.count += 1
