"""The live progress line of ``kpb contract``: rewritten in place on a terminal, plain
lines anywhere else (a CI log)."""

from __future__ import annotations

import io

from contract_tests._progress import PLAIN_INTERVAL, Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_one_line_is_rewritten_in_place() -> None:
    stream = _Terminal()
    progress = Progress(stream)
    progress.phase("schemathesis examples phase, GET /Application")
    for _ in range(3):
        progress.request()
    progress.findings(1, 2)
    progress.close()
    text = stream.getvalue()
    assert "\n" not in text
    assert text.count("\r") >= 2
    assert "1 violations, 2 assumptions contradicted" in text
    assert text.endswith("\r")  # cleared, so that the summary starts on a clean line


def test_elsewhere_a_plain_line_per_phase_and_no_carriage_returns() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    progress.phase("TLS, plain HTTP and routing")
    for _ in range(50):
        progress.request()  # within PLAIN_INTERVAL: no line per request
    progress.phase("Bilag A data checks")
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert len(lines) == 2, lines
    assert lines[0].startswith("kpb contract: TLS, plain HTTP and routing | 0 requests")
    assert lines[1].startswith("kpb contract: Bilag A data checks | 50 requests")
    assert PLAIN_INTERVAL >= 5


def test_silent_without_a_stream() -> None:
    progress = Progress(None)
    progress.phase("anything")
    progress.request()
    progress.close()
    assert "1 request |" in progress.line()
