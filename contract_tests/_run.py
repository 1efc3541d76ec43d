"""One run of the suite against one target: what its tests reach it through, what they
found, and the reports.

:func:`run_contract` makes a :class:`ContractRun`, hands it to pytest through the
suite's plugin (a fixture, not a module global), and turns what was found into a
:class:`ContractResult`. Nothing here decides an exit code: the ``kpb`` command maps
the result's :class:`Outcome` to one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import io
import os
import signal
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import hypothesis.configuration
import pytest
import requests
import schemathesis
from schemathesis import Case, CheckResult, HookContext, Response
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.engine import Status

from kpb_ext import ALLOW_LISTING_HINT, MAX_RESPONSE_BYTES, RETRY_STATUSES, open_private

from ._answers import json_body
from ._assumptions import answer_assumptions
from ._failures import assumption_of, explain, failure_key
from ._findings import (
    Assumption,
    CertificateRefused,
    ContractViolation,
    Findings,
    Violation,
    curl_command,
    describe_answer,
    masked,
)
from ._identity import Identity
from ._messages import find_documented
from ._openapi import build_schema, pin_test_cprs
from ._plugin import ContractPlugin, Outcomes
from ._progress import Progress
from ._recording import CURRENT_ASSUMPTIONS, CURRENT_CASE, CURRENT_CHECK, HarRecording
from ._summary import RunFacts, render_summary
from ._target import Limits, Target
from ._transport import (
    ASKED_AGAIN_LIMIT,
    COME_BACK_LIMIT,
    REQUEST_TIMEOUT,
    Exchange,
    Interrupt,
    RequestGate,
    RunInterrupted,
    Transport,
)

__all__ = [
    "REPORT_FILES",
    "REQUEST_TIMEOUT",
    "SUITE_DIR",
    "ContractResult",
    "ContractRun",
    "Outcome",
    "run_contract",
]

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

Params = Sequence[tuple[str, str]]


class Outcome(enum.Enum):
    """How a run ended."""

    #: Nothing the PDF states was contradicted (assumptions may have been).
    CONFORMS = "conforms"
    #: At least one violation, or a check that could not be completed.
    DOES_NOT_CONFORM = "does not conform"
    #: The target could not be reached at all.
    UNREACHABLE = "unreachable"
    #: KPB refused the given certificate (a documented 401) for some or every service, and
    #: nothing else broke the contract: what the refused requests check was not seen.
    CERTIFICATE_REFUSED = "certificate refused"
    #: The run was stopped before it ended (:class:`Interrupt`); the reports say what was
    #: checked until then.
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class ContractResult:
    """How a run ended, and where its reports are."""

    outcome: Outcome
    findings: Findings
    summary: str
    report_dir: Path
    requests: int
    seconds: float


class ContractRun:
    """The target, the transport and the findings of one run, shared by all its tests."""

    def __init__(
        self,
        target: Target,
        limits: Limits,
        transport: Transport,
        findings: Findings,
        progress: Progress | None = None,
    ) -> None:
        self.target = target
        self.limits = limits
        self.transport = transport
        self.findings = findings
        self.progress = progress or Progress(None)
        self._sessions: dict[tuple[str, Any, Any], requests.Session] = {}
        #: The exchanges of the schemathesis case being sent (one, or more when a check
        #: sends it again): only these are kept, however large the answers were.
        self._case_exchanges: list[Exchange] = []
        self._schema: schemathesis.BaseSchema | None = None
        #: The failures of the case being sent that are judged as something other than a
        #: violation (an assumption contradicted, the given certificate refused), by id.
        self._not_violations: set[int] = set()
        self._contradicted = 0
        transport.observe(self._scan)

    # -- requests of the suite's own checks ----------------------------------------------

    def session(
        self,
        identity: Identity | None = None,
        *,
        minimum: ssl.TLSVersion | None = None,
        maximum: ssl.TLSVersion | None = None,
    ) -> requests.Session:
        """A session appearing as *identity* (the given certificate by default)."""
        identity = identity or self.target.identity
        key = (identity.label, minimum, maximum)
        if key not in self._sessions:
            self._sessions[key] = self.transport.session(identity, minimum=minimum, maximum=maximum)
        return self._sessions[key]

    @property
    def interrupted(self) -> str | None:
        """Why the run was asked to stop ("stopped by SIGTERM"); None while it was not."""
        return self.transport.gate.interrupt.reason

    def close(self) -> None:
        """Close every session's connections."""
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()

    def request(
        self,
        path: str,
        *,
        params: Params = (),
        identity: Identity | None = None,
        method: str = "GET",
        base_url: str | None = None,
        minimum: ssl.TLSVersion | None = None,
        maximum: ssl.TLSVersion | None = None,
    ) -> Exchange:
        """Send one request; the exchange carries the answer or, instead, the error.

        The sessions follow no redirect and keep to the run's deadline and size limit.
        """
        session = self.session(identity, minimum=minimum, maximum=maximum)
        url = (base_url or self.target.base_url) + path
        with self.transport.capture() as captured:
            try:
                session.request(method, url, params=list(params))
            except requests.RequestException:
                if not captured:
                    raise
        exchange = captured[-1]
        refused = self.refusal(exchange)
        if refused is not None:
            raise CertificateRefused(f"not checked: the given certificate was refused ({refused})")
        return exchange

    def refusal(self, exchange: Exchange) -> str | None:
        """``401 Certificate doesn't exist`` when KPB refused the given certificate with
        one of its documented 401s: the answer says nothing about the contract."""
        given = self.target.identity.label
        if exchange.status != 401 or exchange.identity != given:
            return None
        if given == self.target.anonymous.label:
            return None  # no certificate was given: a 401 is the answer under test
        body = json_body(exchange)
        text = body.get("Message") if isinstance(body, dict) else None
        documented = find_documented(401, text)
        return None if documented is None else str(documented)

    def violation(
        self, exchange: Exchange, *, check: str, expected: str, operation: str | None = None
    ) -> ContractViolation:
        """The exception a check raises when *exchange* breaks the contract."""
        return ContractViolation(
            Violation(
                operation=operation or self.operation(exchange),
                check=check,
                expected=expected,
                actual=describe_answer(exchange),
                reproduce=curl_command(exchange),
                test=CURRENT_CHECK.get(),
            )
        )

    def record(self, assumption: Assumption | None) -> None:
        """Record what the target showed about one of the spec's assumptions (None: the
        answer showed nothing about it)."""
        if assumption is not None:
            self._record(dataclasses.replace(assumption, test=CURRENT_CHECK.get()))

    def operation(self, exchange: Exchange) -> str:
        """``GET /Application``: the method and the route below the base URL."""
        path = exchange.url.split("?", 1)[0]
        base = self.target.base_url
        route = path[len(base) :] if path.startswith(base) else path
        return f"{exchange.method} {route}"

    def _record(self, assumption: Assumption) -> None:
        if self.findings.add_assumption(assumption):
            self._contradicted += assumption.verdict == "contradicted"
        seen = CURRENT_ASSUMPTIONS.get()
        if seen is not None and all(a.key != assumption.key for a in seen):
            seen.append(assumption)
        self._report_findings()

    def _report_findings(self) -> None:
        self.progress.findings(len(self.findings.violations), self._contradicted)

    # -- schemathesis -------------------------------------------------------------------

    @property
    def schema(self) -> schemathesis.BaseSchema:
        if self._schema is None:
            schema = build_schema(
                self.target.base_url,
                max_examples=self.limits.max_examples,
                seed=self.limits.seed,
                request_timeout=self.limits.request_timeout,
                shrink=self.limits.shrink,
            )

            # schemathesis marks a hook function with attributes, which a bound method refuses
            def after_validate(
                context: HookContext,
                case: Case[Any],
                response: Response,
                results: list[CheckResult],
            ) -> None:
                self._after_validate(case, response, results)

            schema.hook("after_validate")(after_validate)
            self._schema = schema
        return self._schema

    def exercise(self, case: Case[Any]) -> None:
        """Send one generated case with the given certificate and run every check on it.

        Failures that only contradict an assumption are recorded and not raised, so that
        they neither fail the test nor make hypothesis hunt for a smaller example.
        """
        pin_test_cprs(case)
        meta = case.meta
        phase = meta.phase.name.value if meta is not None else "explicit"
        self.progress.phase(f"schemathesis {phase} phase, {case.operation.label}")
        token = CURRENT_CASE.set(f"{phase}, {meta.generation.mode.value}" if meta else "")
        try:
            with self.transport.capture() as self._case_exchanges:
                case.call_and_validate(session=self.session())
        except FailureGroup as group:
            breaking = [f for f in group.exceptions if id(f) not in self._not_violations]
            if len(breaking) == len(group.exceptions):
                raise
            if breaking:
                raise FailureGroup(breaking) from None
        finally:
            CURRENT_CASE.reset(token)
            self._not_violations.clear()
            self._case_exchanges = []

    def _after_validate(
        self, case: Case[Any], response: Response, results: list[CheckResult]
    ) -> None:
        exchange = self._exchange_of(response)
        phase = case.meta.phase.name.value if case.meta is not None else "explicit"
        for result in results:
            if result.status != Status.FAILURE or result.failure is None:
                continue
            failure: Failure = result.failure
            if exchange is not None and self.refusal(exchange) is not None:
                self._not_violations.add(id(failure))
                continue
            assumption = assumption_of(failure, case, response, exchange)
            if assumption is not None:
                self._not_violations.add(id(failure))
                self._record(assumption)
                continue
            expected, actual = explain(failure, response, exchange)
            self.findings.add_violation(
                Violation(
                    operation=case.operation.label,
                    check=result.name,
                    expected=expected,
                    actual=actual,
                    reproduce=curl_command(exchange) if exchange else "",
                    test=CURRENT_CHECK.get(),
                    phase=phase,
                ),
                failure.title,
                failure_key(failure),
            )
        self._report_findings()

    def _exchange_of(self, response: Response) -> Exchange | None:
        url = response.request.url
        return next((e for e in reversed(self._case_exchanges) if e.url == url), None)

    # -- what every answer is scanned for ------------------------------------------------

    def _scan(self, exchange: Exchange) -> None:
        self.progress.request()
        if exchange.status is None:
            return
        if exchange.cut:
            # No KPB answer comes near the limit, whatever the check made of its start;
            # the plugin fails the test it was sent for.
            test = CURRENT_CHECK.get()
            violation = Violation(
                operation=self.operation(exchange),
                check="answer_size",
                expected=f"an answer of at most {MAX_RESPONSE_BYTES:,} bytes, decompressed "
                "(KPB's answers are a few kilobytes)",
                actual=describe_answer(exchange),
                reproduce=curl_command(exchange),
                test=test,
            )
            self.findings.add_violation(violation, test)
            self._report_findings()
        body = json_body(exchange)
        if isinstance(body, dict):
            documented = find_documented(exchange.status, body.get("Message"))
            if documented is not None:
                self.findings.message_reached(str(documented), exchange)
                if self.refusal(exchange) is not None:
                    self.findings.refused(self.operation(exchange), documented.text)
        for assumption in answer_assumptions(exchange, self.target.base_url):
            self.record(assumption)


# -- running it ---------------------------------------------------------------------------


def run_contract(
    target: Target,
    limits: Limits,
    *,
    progress: TextIO | None = None,
    pytest_output: TextIO | None = None,
    interrupt: Interrupt | None = None,
) -> ContractResult:
    """Run the whole suite against *target* and write the reports.

    *progress*, if given, receives a live line (phase, requests, findings) as the run
    goes; *pytest_output* receives pytest's own output (``kpb contract --verbose``).

    Setting *interrupt* stops the run (``kpb contract`` sets it on SIGINT, SIGTERM and
    SIGHUP): no request starts after that, the one on its way is cut, the reports say
    what was checked until then, and the outcome is INTERRUPTED. Without it, Ctrl+C
    does the same and then raises KeyboardInterrupt, once the reports are written.
    """
    started = time.perf_counter()
    report_dir = limits.report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    # The reports hold KPB's answers: private, whatever the umask, also those that
    # pytest and the HAR writer open again.
    for name in REPORT_FILES.values():
        open_private(report_dir / name).close()
    findings = Findings()
    proxies = {} if target.is_loopback else requests.utils.get_environ_proxies(target.base_url)
    given_interrupt = interrupt is not None
    interrupt = interrupt or Interrupt()
    transport = Transport(
        RequestGate(limits.max_requests, limits.rate, interrupt),
        proxies=proxies,
        deadline=limits.request_timeout,
    )
    recording = HarRecording(
        report_dir / REPORT_FILES["recording"], comment=f"kpb contract against {target.base_url}"
    )
    transport.observe(recording)
    live = Progress(progress)
    run = ContractRun(target, limits, transport, findings, live)
    tests = Outcomes()
    aborted = interrupted = None
    with contextlib.nullcontext() if given_interrupt else _ctrl_c_interrupts(interrupt):
        try:
            live.phase("can the target be reached")
            token = CURRENT_CHECK.set("can the target be reached")
            try:
                try:
                    first: Exchange | None = run.request("/test")
                except CertificateRefused:
                    first = None  # /test needs no certificate: the suite says the rest
                if first is not None and first.status is None:
                    why = _unreachable(target, str(first.error))
                    aborted = f"{why}. Try: {curl_command(first)}"
                elif first is not None and first.status in RETRY_STATUSES:
                    # A service that is down or busy (or its gateway says so): nothing to judge.
                    aborted = (
                        f"/test answered {first.status} {first.reason}".rstrip()
                        + ": KPB, or a gateway in front of it, says the service is away or "
                        f"busy; run kpb contract again later. Try: {curl_command(first)}"
                    )
                else:
                    tests = _run_pytest(run, report_dir, pytest_output)
            except RunInterrupted:
                pass
            finally:
                CURRENT_CHECK.reset(token)
            interrupted = interrupt.reason
        finally:
            live.close()
            run.close()
            recording.close()

    for status, count in sorted(transport.asked_again.items()):
        findings.warnings.append(
            f"{count} answers were {status} with a Retry-After of at most "
            f"{COME_BACK_LIMIT:g} s; each was asked again after the wait (at most "
            f"{ASKED_AGAIN_LIMIT} times), and only its last answer was judged"
        )
    if interrupted:
        outcome = Outcome.INTERRUPTED
    elif aborted:
        outcome = Outcome.UNREACHABLE
    elif findings.conforms and findings.refusals:
        outcome = Outcome.CERTIFICATE_REFUSED
    elif findings.conforms:
        outcome = Outcome.CONFORMS
    else:
        outcome = Outcome.DOES_NOT_CONFORM
    seconds = time.perf_counter() - started
    facts = RunFacts(
        base_url=target.base_url,
        description=target.description,
        seed=limits.seed,
        requests=transport.gate.count,
        seconds=seconds,
        report_dir=report_dir,
        tests=tests.counts,
        aborted=aborted,
        certificate=target.identity.details,
        interrupted=interrupted,
        not_run=tests.not_run,
    )
    summary = render_summary(facts, findings)
    with open_private(report_dir / REPORT_FILES["summary"]) as file:
        file.write(summary)
    if interrupted and not given_interrupt:
        raise KeyboardInterrupt
    return ContractResult(outcome, findings, summary, report_dir, transport.gate.count, seconds)


@contextlib.contextmanager
def _ctrl_c_interrupts(interrupt: Interrupt) -> Iterator[None]:
    """Ctrl+C sets *interrupt*, while Python's own handler would raise KeyboardInterrupt.

    Raised at whatever instruction pytest or hypothesis was running, KeyboardInterrupt
    loses the reports, and can break pytest's report of it: a traceback entry without a
    line number makes it fail with TypeError. A caller that handles SIGINT itself, or a
    thread other than the main one, is left as it is.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        interrupt.set("stopped by SIGINT")

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _unreachable(target: Target, error: str) -> str:
    """Why the first request got no answer, and what to do about it."""
    why = f"the target cannot be reached: {error}"
    if "CERTIFICATE_VERIFY_FAILED" in error:
        return why + "; the server's certificate is not trusted: give its CA with --ca-bundle"
    if "TLSV1_ALERT" in error or "SSLV3_ALERT" in error:
        return why + "; the server refused the TLS handshake (run `kpb doctor` for details)"
    if not target.is_loopback:
        return f"{why}; {ALLOW_LISTING_HINT}"
    return why


def _run_pytest(run: ContractRun, report_dir: Path, pytest_output: TextIO | None) -> Outcomes:
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
        # Only sys.stdout and sys.stderr are swapped, so that the live progress line,
        # written to the real stderr, stays visible while tests run.
        "--capture=sys",
        "-v" if pytest_output is not None else "-q",
    ]
    output = io.StringIO()
    stream: io.TextIOBase = output if pytest_output is None else _Tee(output, pytest_output)
    with (
        _isolated_environment(),
        tempfile.TemporaryDirectory(prefix="kpb-contract-") as scratch,
        contextlib.redirect_stdout(stream),
    ):
        # Hypothesis's caches go to a scratch directory, not the user's current one.
        hypothesis.configuration.set_hypothesis_home_dir(scratch)
        try:
            outcomes = Outcomes()
            code = pytest.main(args, plugins=[ContractPlugin(run), outcomes])
        finally:
            hypothesis.configuration.set_hypothesis_home_dir(None)
    with open_private(report_dir / REPORT_FILES["pytest"]) as file:
        file.write(masked(output.getvalue()))
    # pytest wrote junit.xml itself, with schemathesis's account of each failure: the
    # bodies in it may hold CPR numbers other than the test numbers.
    junit = report_dir / REPORT_FILES["junit"]
    text = junit.read_text(encoding="utf-8", errors="replace")
    with open_private(junit) as file:
        file.write(masked(text))
    stopped = code == pytest.ExitCode.INTERRUPTED and run.interrupted
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and not stopped:
        run.findings.errors.append(
            f"pytest ended with {pytest.ExitCode(code).name}; see {REPORT_FILES['pytest']}"
        )
    return outcomes


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
