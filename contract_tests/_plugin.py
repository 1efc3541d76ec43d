"""The pytest plugin that carries a run into the suite and its results out of it.

The suite's tests get the run as the ``kpb`` fixture and schemathesis's schema as
``kpb_schema``; nothing is read from a module global, so the same suite modules serve
any number of runs in one process. After each test the plugin judges its report:

- a violation fails it, also one the run recorded while the test ran (an answer larger
  than any KPB sends) when the test itself passed;
- a Bilag A data check that differs, or an assumption the target contradicted, turns it
  into a skip whose reason says so (CI systems read junit.xml, and neither may ever
  count as a failure there);
- every assumption a test saw is attached to it as JUnit properties.

When the run is interrupted, the test under way is reported as skipped (not finished)
and pytest stops after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from ._findings import (
    Assumption,
    CertificateRefused,
    ContractViolation,
    DataCheck,
    DataCheckFailed,
)
from ._recording import CURRENT_ASSUMPTIONS, CURRENT_CHECK
from ._transport import RunInterrupted

if TYPE_CHECKING:
    from ._run import ContractRun
    from ._target import ErrorProbe

__all__ = ["DATA_CHECK", "ContractPlugin", "Outcomes"]

DATA_CHECK = "data_check"
EVERY_OPERATION = "every_operation"

# What the progress line calls each part of the suite.
_PHASES = {
    "test_transport": "TLS, plain HTTP and routing",
    "test_errors": "documented errors and bad cpr values",
    "test_data": "Bilag A data checks",
}


class ContractPlugin:
    """Registered by :func:`contract_tests.run_contract` for the length of one run."""

    def __init__(self, run: ContractRun) -> None:
        self.run = run

    @pytest.fixture(name="kpb")
    def _kpb(self) -> ContractRun:
        return self.run

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(
        self, collector: pytest.Module | pytest.Class, name: str, obj: object
    ) -> object:
        # A test marked every_operation becomes schemathesis's test of this run's schema:
        # the schema is the run's, made when the run starts, not when the module loads.
        marks = getattr(obj, "pytestmark", ())
        if not any(mark.name == EVERY_OPERATION for mark in marks):
            return None
        parametrized = self.run.schema.parametrize()(obj)
        return collector.ihook.pytest_pycollect_makeitem(
            collector=collector, name=name, obj=parametrized
        )

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        # Only a target that comes with such certificates (the embedded simulator) gets
        # these; for others the summary tells which messages the given certificate
        # could not reach, and why.
        if "certificate_probe" in metafunc.fixturenames:
            probes: list[tuple[ErrorProbe, str]] = [
                (probe, path) for probe in self.run.target.error_probes for path in probe.paths
            ]
            metafunc.parametrize(
                "certificate_probe", probes, ids=[f"{p.message} {path}" for p, path in probes]
            )

    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        unused = (
            [item for item in items if "certificate_probe" in getattr(item, "fixturenames", ())]
            if not self.run.target.error_probes
            else []
        )
        if unused:
            config.hook.pytest_deselected(items=unused)
            items[:] = [item for item in items if item not in unused]
        if not self.run.limits.data_checks:
            skipped = [item for item in items if item.get_closest_marker(DATA_CHECK)]
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if item not in skipped]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        module = getattr(getattr(item, "module", None), "__name__", "").rpartition(".")[2]
        if module in _PHASES:
            self.run.progress.phase(_PHASES[module])
        token = CURRENT_CHECK.set(node_id_of(item))
        seen: list[Assumption] = []
        assumptions = CURRENT_ASSUMPTIONS.set(seen)
        item.stash[_SEEN] = seen
        try:
            return (yield)
        finally:
            CURRENT_ASSUMPTIONS.reset(assumptions)
            CURRENT_CHECK.reset(token)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        report.nodeid = node_id_of(item)
        interrupted = self.run.interrupted
        if interrupted is not None:
            item.session.shouldstop = f"the run was interrupted ({interrupted})"
            if call.excinfo is not None and call.excinfo.errisinstance(RunInterrupted):
                _skip(report, f"not finished: the run was interrupted ({interrupted})")
                return report
        if report.when == "call" or not report.passed:
            self._judge(item, call, report)
        return report

    def _judge(
        self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
    ) -> None:
        findings = self.run.findings
        error = call.excinfo.value if call.excinfo is not None else None
        seen = item.stash.get(_SEEN, [])
        # junit.xml takes a test's properties from the item, as its teardown report has them.
        for assumption in seen:
            item.user_properties += [
                ("assumption", assumption.entry),
                ("verdict", f"{assumption.verdict}: {assumption.line()}"),
            ]
        if isinstance(error, CertificateRefused):
            # The summary explains the refusal once, with what to send KPB support.
            _skip(report, str(error))
            return
        marker = item.get_closest_marker(DATA_CHECK)
        recorded = [v for v in findings.violations.values() if v.test == report.nodeid]
        if recorded and not (report.failed and marker is None):
            # A data check that got such an answer found a violation, not other data.
            _fail(report, recorded[0].line())
            return
        if marker is not None:
            callspec = getattr(item, "callspec", None)
            subject = " ".join(
                str(part) for part in (callspec.id if callspec else "", *marker.args) if part
            )
            if report.passed:
                findings.data_checks.append(DataCheck(report.nodeid, subject, True))
                item.user_properties.append(("data check", "as in Bilag A"))
            elif report.failed:
                mismatches = (
                    error.mismatches
                    if isinstance(error, DataCheckFailed)
                    else (_error_text(error),)
                )
                findings.data_checks.append(DataCheck(report.nodeid, subject, False, mismatches))
                item.user_properties.append(("data check", "differs from Bilag A"))
                _skip(
                    report, "differs from Bilag A (reported, not judged): " + "; ".join(mismatches)
                )
            return
        if report.skipped:
            findings.warnings.append(f"{report.nodeid}: not checked: {_skip_reason(report)}")
        elif report.failed:
            if isinstance(error, ContractViolation):
                violation = error.violation
                findings.add_violation(violation, violation.test or report.nodeid)
            elif not any(v.test == report.nodeid for v in findings.violations.values()):
                # A failure with no violation behind it: the check could not be made.
                findings.errors.append(f"{report.nodeid}: {_error_text(error)}")
        else:
            contradicted = [a for a in seen if a.verdict == "contradicted"]
            if contradicted:
                reasons = "; ".join(f"{a.entry} {a.line()}" for a in contradicted)
                _skip(report, f"spec assumption contradicted (reported, not judged): {reasons}")


_SEEN = pytest.StashKey[list[Assumption]]()


def node_id_of(item: pytest.Item) -> str:
    """The item's node id, with the operation of a schemathesis item.

    pytest 9.2 builds a node id from a function's original name and its ``callspec``;
    schemathesis's items have neither the operation in one nor the other, so all of them
    would share one id, in the JUnit report too.
    """
    label = getattr(item, "operation_label", None)
    if isinstance(label, str) and not item.nodeid.endswith("]"):
        return f"{item.nodeid}[{label}]"
    return item.nodeid


def _skip(report: pytest.TestReport, reason: str) -> None:
    """Turn *report* into a skip with *reason*: never a failure, and visible in JUnit."""
    location = report.location
    report.outcome = "skipped"
    report.longrepr = (str(location[0]), (location[1] or 0) + 1, f"Skipped: {_shorten(reason)}")


def _fail(report: pytest.TestReport, reason: str) -> None:
    report.outcome = "failed"
    report.longrepr = reason


def _shorten(text: str, limit: int = 900) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Outcomes:
    """Counts test outcomes as pytest reports them, and the tests that never ran."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._collected = 0

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._collected = len(session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.counts[report.outcome] += 1

    @property
    def not_run(self) -> int:
        """Tests collected but never run: the run was interrupted before them."""
        return max(self._collected - self.counts.total(), 0)


def _error_text(error: BaseException | None) -> str:
    if error is None:
        return "failed"
    text = " ".join(str(error).split())
    if len(text) > 300:
        text = text[:299] + "…"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)
