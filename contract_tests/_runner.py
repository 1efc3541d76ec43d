"""Running the suite: pytest in isolation, the reports, the exit code."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import hypothesis.configuration
import pytest
import requests

from kpb_ext.cli import ExitCode

from ._findings import Findings, curl_command
from ._plugin import ContractPlugin
from ._recording import CURRENT_CHECK, HarRecording
from ._run import ContractRun
from ._summary import RunFacts, render_summary
from ._target import Limits, Target
from ._transport import RequestGate, Transport

__all__ = ["REPORT_FILES", "SUITE_DIR", "ContractResult", "run_contract"]

SUITE_DIR = Path(__file__).resolve().parent / "suite"

#: What a run writes to its report directory.
REPORT_FILES = {
    "summary": "summary.txt",
    "junit": "junit.xml",
    "recording": "exchanges.har",
    "pytest": "pytest-output.txt",
}

# Nothing in the user's environment may add options or plugins to the suite's pytest, or
# hooks to schemathesis: any of them could switch a check off.
_ENVIRONMENT_REMOVED = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "SCHEMATHESIS_HOOKS")
_ENVIRONMENT_SET = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


@dataclass(frozen=True)
class ContractResult:
    """How a run ended, and where its reports are."""

    exit_code: ExitCode
    findings: Findings
    summary: str
    report_dir: Path
    requests: int
    seconds: float


def run_contract(
    target: Target, limits: Limits, *, verbose: bool = False, progress: TextIO | None = None
) -> ContractResult:
    """Run the whole suite against *target* and write the reports.

    *progress*, if given, receives pytest's own output as the run goes (``--verbose``).
    """
    started = time.perf_counter()
    report_dir = limits.report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    findings = Findings()
    proxies = {} if target.is_loopback else requests.utils.get_environ_proxies(target.base_url)
    transport = Transport(RequestGate(limits.max_requests, limits.rate), proxies=proxies)
    recording = HarRecording(
        report_dir / REPORT_FILES["recording"], comment=f"kpb contract against {target.base_url}"
    )
    transport.observe(recording)
    run = ContractRun(target, limits, transport, findings)
    outcomes: Counter[str] = Counter()
    aborted = None
    try:
        token = CURRENT_CHECK.set("can the target be reached")
        try:
            first = run.request("/test")
        finally:
            CURRENT_CHECK.reset(token)
        if first.status is None:
            aborted = f"{_unreachable(target, str(first.error))}. Try: {curl_command(first)}"
        else:
            outcomes = _run_pytest(run, report_dir, verbose=verbose, progress=progress)
    finally:
        run.close()
        recording.close()

    if aborted:
        exit_code = ExitCode.NETWORK
    elif findings.conforms:
        exit_code = ExitCode.OK
    else:
        exit_code = ExitCode.CONTRACT_VIOLATION
    seconds = time.perf_counter() - started
    facts = RunFacts(
        base_url=target.base_url,
        description=target.description,
        seed=limits.seed,
        requests=transport.gate.count,
        seconds=seconds,
        report_dir=report_dir,
        tests=outcomes,
        aborted=aborted,
        certificate=target.identity.details,
    )
    summary = render_summary(facts, findings)
    (report_dir / REPORT_FILES["summary"]).write_text(summary, encoding="utf-8")
    return ContractResult(exit_code, findings, summary, report_dir, transport.gate.count, seconds)


def _unreachable(target: Target, error: str) -> str:
    """Why the first request got no answer, and what to do about it."""
    why = f"the target cannot be reached: {error}"
    if "CERTIFICATE_VERIFY_FAILED" in error:
        return why + "; the server's certificate is not trusted: give its CA with --ca-bundle"
    if "TLSV1_ALERT" in error or "SSLV3_ALERT" in error:
        return why + "; the server refused the TLS handshake (run `kpb doctor` for details)"
    if not target.is_loopback:
        return why + (
            "; KPB's test environment answers only IP addresses registered with "
            "kpb.support@knowledgecube.net (PDF §3.1)"
        )
    return why


class _Outcomes:
    """Counts test outcomes as pytest reports them."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.counts[report.outcome] += 1


def _run_pytest(
    run: ContractRun, report_dir: Path, *, verbose: bool, progress: TextIO | None
) -> Counter[str]:
    args = [
        str(SUITE_DIR),
        "-c",
        str(SUITE_DIR / "pytest.ini"),
        "--rootdir",
        str(SUITE_DIR),
        "--noconftest",
        "-p",
        "no:cacheprovider",
        "-p",
        "schemathesis.pytest.plugin",
        "--junitxml",
        str(report_dir / REPORT_FILES["junit"]),
        "-o",
        "junit_suite_name=kpb-contract",
        "-o",
        "junit_family=xunit2",
        "--tb=short",
        "-rfEs",
        "-v" if verbose else "-q",
    ]
    if not run.limits.data_checks:
        args += ["-m", "not data_check"]
    # Each run imports the suite afresh: its modules are built from the run's target.
    for name in [n for n in sys.modules if n.startswith(f"{__package__}.suite.")]:
        del sys.modules[name]
    outcomes = _Outcomes()
    output = io.StringIO()
    stream: io.TextIOBase = output if progress is None else _Tee(output, progress)
    with (
        _isolated_environment(),
        tempfile.TemporaryDirectory(prefix="kpb-contract-") as scratch,
        contextlib.redirect_stdout(stream),
    ):
        # Hypothesis's caches go to a scratch directory, not the user's current one.
        hypothesis.configuration.set_hypothesis_home_dir(scratch)
        try:
            code = pytest.main(args, plugins=[ContractPlugin(run), outcomes])
        finally:
            hypothesis.configuration.set_hypothesis_home_dir(None)
    (report_dir / REPORT_FILES["pytest"]).write_text(output.getvalue(), encoding="utf-8")
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        run.findings.errors.append(
            f"pytest ended with {pytest.ExitCode(code).name}; see {REPORT_FILES['pytest']}"
        )
    return outcomes.counts


@contextlib.contextmanager
def _isolated_environment() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in (*_ENVIRONMENT_REMOVED, *_ENVIRONMENT_SET)}
    for name in _ENVIRONMENT_REMOVED:
        os.environ.pop(name, None)
    os.environ.update(_ENVIRONMENT_SET)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _Tee(io.TextIOBase):
    def __init__(self, *streams: TextIO) -> None:
        self._streams = streams

    def write(self, text: str) -> int:
        for stream in self._streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()
