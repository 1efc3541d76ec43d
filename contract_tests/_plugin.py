"""The pytest plugin that carries a run into the suite and its results out of it."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from ._findings import ContractViolation, DataCheck, DataCheckFailed
from ._recording import CURRENT_CHECK
from ._run import ContractRun

__all__ = ["ContractPlugin", "active_run"]

DATA_CHECK = "data_check"

_active: ContractRun | None = None


def active_run() -> ContractRun:
    """The run being made; the suite's modules are imported only inside one."""
    if _active is None:
        raise RuntimeError(
            "the contract suite runs inside `kpb contract` (or contract_tests.run_contract), "
            "which tells it its target"
        )
    return _active


class ContractPlugin:
    """Registered by :func:`contract_tests.run_contract` for the length of one run."""

    def __init__(self, run: ContractRun) -> None:
        self.run = run

    @pytest.fixture(name="kpb")
    def _kpb(self) -> ContractRun:
        return self.run

    def pytest_configure(self, config: pytest.Config) -> None:
        global _active
        _active = self.run

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        global _active
        _active = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        token = CURRENT_CHECK.set(node_id_of(item))
        try:
            return (yield)
        finally:
            CURRENT_CHECK.reset(token)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        report.nodeid = node_id_of(item)
        if report.when == "call" or not report.passed:
            self._judge(item, call, report)
        return report

    def _judge(
        self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
    ) -> None:
        findings = self.run.findings
        error = call.excinfo.value if call.excinfo is not None else None
        marker = item.get_closest_marker(DATA_CHECK)
        if marker is not None:
            callspec = getattr(item, "callspec", None)
            subject = " ".join(
                str(part) for part in (callspec.id if callspec else "", *marker.args) if part
            )
            if report.passed:
                findings.data_checks.append(DataCheck(report.nodeid, subject, True))
            elif isinstance(error, DataCheckFailed):
                findings.data_checks.append(
                    DataCheck(report.nodeid, subject, False, error.mismatches)
                )
            elif report.failed:
                findings.data_checks.append(
                    DataCheck(report.nodeid, subject, False, (_error_text(error),))
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
