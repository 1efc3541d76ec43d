"""``kpb contract`` stopped by a signal: real signals to a real process, against the
embedded simulator. No request starts after the signal; the reports say what was checked
until then, the recording is valid JSON, and the command exits 6."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from kpb_cli import ExitCode

pytestmark = [pytest.mark.network, pytest.mark.slow]

KPB = str(Path(sys.executable).with_name("kpb"))

# The test runner may have been started with SIGINT ignored (a background job of a
# script), which kpb then keeps ignored, as it should; a user's terminal does not.
_WITH_DEFAULT_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=str)
def test_a_signal_stops_the_run_and_the_reports_are_written(
    tmp_path: Path, signum: signal.Signals
) -> None:
    report_dir = tmp_path / "report"
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("KPB_") and not name.startswith("PYTEST_")
    }
    process = subprocess.Popen(
        [sys.executable, "-c", _WITH_DEFAULT_SIGINT, KPB, "contract", "--report-dir", report_dir],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    try:
        # well into the run: schemathesis's phases come after the suite's own checks began
        for line in process.stderr:
            if "schemathesis" in line:
                break
        else:
            pytest.fail("the run ended before it reached schemathesis")
        signalled = time.monotonic()
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    stopped_after = time.monotonic() - signalled

    assert process.returncode == ExitCode.INTERRUPTED, stdout + stderr
    assert stopped_after < 10
    assert "Traceback" not in stderr
    summary = (report_dir / "summary.txt").read_text(encoding="utf-8")
    assert summary == stdout
    assert f"Result: INTERRUPTED (stopped by {signum.name})" in summary
    assert "not run: the run was interrupted" in summary
    counts = next(line for line in summary.splitlines() if " requests in " in line)
    requests = int(counts.split()[0])
    recording = json.loads((report_dir / "exchanges.har").read_text(encoding="utf-8"))
    entries = recording["log"]["entries"]
    assert len(entries) == requests > 0
    suite = ET.parse(report_dir / "junit.xml").getroot().find("testsuite")  # noqa: S314 (ours)
    assert suite is not None
    assert int(suite.get("tests", "0")) > 0
    assert suite.get("errors") == "0"
