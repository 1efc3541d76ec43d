"""The suite's proof that it can fail: every drift mode of the simulator, each with what
the suite must say about it.

A breaking mode must make the run fail and the summary name the right violation; a
non-breaking one must pass, an undocumented code reported as a drift warning and an added
field not reported at all. A drift mode without an expectation here fails this test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from contract_tests import ContractResult, Limits, Target, run_contract
from contract_tests._findings import SEEDLESS
from kpb_ext.cli import ExitCode
from kpb_sim import DRIFT_MODES

TargetFactory = Callable[[str | None], Target]


@dataclass(frozen=True)
class Named:
    """A violation line of the summary: its operation, its check, and a telling text."""

    operation: str
    check: str
    text: str


@dataclass(frozen=True)
class Expected:
    conforms: bool
    violations: tuple[Named, ...] = ()
    #: Drift warnings beyond those of the faithful simulator: (kind, code, name).
    warnings: frozenset[tuple[str, int, str]] = field(default_factory=frozenset)


#: The faithful simulator, like the PDF's example, sends application status 11, and a code
#: of its choice for Bilag A's "Klar til bestilling" (D4): warnings, never failures.
FAITHFUL_WARNINGS = {
    ("application status", "Prøve bestilt"),
    ("application status", "Klar til bestilling"),
}

EXPECTED: dict[str, Expected] = {
    "missing-field": Expected(
        conforms=False,
        violations=(
            Named(
                "GET /Application",
                "response_schema_conformance",
                '"ApplicationStatus" is a required property',
            ),
            Named(
                "GET /MedicalCertificate",
                "response_schema_conformance",
                '"Status" is a required property',
            ),
        ),
    ),
    "wrong-type": Expected(
        conforms=False,
        violations=(
            Named("GET /Application", "response_schema_conformance", "/ApplicationStatus/Code"),
            Named("GET /MedicalCertificate", "response_schema_conformance", "/Status/Code"),
        ),
    ),
    "timestamp-format": Expected(
        conforms=False,
        violations=(
            Named(
                "GET /MedicalCertificate", "response_schema_conformance", '+02:00" does not match'
            ),
            Named(
                "GET /Application", "response_schema_conformance", '" does not match "^[0-9]{4}-'
            ),
        ),
    ),
    "no-cert-required": Expected(
        conforms=False,
        violations=(
            Named("GET /Application", "certificate_required", "got: 200 application/json"),
            Named("GET /MedicalCertificate", "certificate_required", "got: 200 application/json"),
        ),
    ),
    "plain-http-served": Expected(
        conforms=False,
        violations=(
            Named(
                "plain HTTP GET /test",
                "https_required",
                'got: 200 application/json; charset=utf-8 ["Hello","World"]',
            ),
        ),
    ),
    "html-errors": Expected(
        conforms=False,
        violations=(
            Named("GET /Application", "content_type_conformance", "got: 400 text/html"),
            Named("GET /MedicalCertificate", "content_type_conformance", "got: 400 text/html"),
            Named("GET /MedicalCertificates", "not_found_message", "got: 404 text/html"),
            Named("GET /Application", "certificate_required", "got: 401 text/html"),
        ),
    ),
    "500-on-malformed-cpr": Expected(
        conforms=False,
        violations=(
            Named("GET /Application", "not_a_server_error", "got: 500"),
            Named("GET /MedicalCertificate", "not_a_server_error", "got: 500"),
            Named("GET /Application", "invalid_cpr_rejected", "got: 500"),
            Named("GET /MedicalCertificate", "invalid_cpr_rejected", "got: 500"),
        ),
    ),
    "undocumented-code": Expected(
        conforms=True, warnings=frozenset({("exam status", 77, "Prøve flyttet")})
    ),
    "added-field": Expected(conforms=True),
}


def _violation_lines(result: ContractResult) -> list[str]:
    summary = result.summary
    if "\nViolations (" not in summary:
        return []
    section = summary.split("\nViolations (", 1)[1].split("\n\n", 1)[0]
    return section.splitlines()[1:]


def _warnings(result: ContractResult) -> set[tuple[str, int, str]]:
    return {(code.kind, code.code, code.name) for code in result.findings.drift}


def test_faithful_simulator_conforms_with_the_default_budget(
    sim_target: TargetFactory, self_test_limits: Limits
) -> None:
    target = sim_target(None)
    limits = dataclasses.replace(
        Limits.defaults_for(target, seed=self_test_limits.seed),
        report_dir=self_test_limits.report_dir,
    )
    result = run_contract(target, limits)

    assert result.exit_code == ExitCode.OK, result.summary
    assert "Result: CONFORMS" in result.summary
    assert not result.findings.violations
    assert not result.findings.errors
    assert {(kind, name) for kind, _, name in _warnings(result)} == FAITHFUL_WARNINGS
    assert ("application status", 11, "Prøve bestilt") in _warnings(result)
    assert "undocumented application status code 11 'Prøve bestilt'" in result.summary
    assert len(result.findings.data_checks) == 14
    assert all(check.passed for check in result.findings.data_checks), result.summary
    # every documented error message was provoked, with the simulator's other certificates
    assert "not reached" not in result.summary


@pytest.mark.parametrize("mode", list(DRIFT_MODES))
def test_drift_mode(mode: str, sim_target: TargetFactory, self_test_limits: Limits) -> None:
    assert mode in EXPECTED, f"drift mode {mode!r} is new: say here what the suite must report"
    expected = EXPECTED[mode]
    assert DRIFT_MODES[mode].breaking is not expected.conforms

    result = run_contract(sim_target(mode), self_test_limits)

    lines = _violation_lines(result)
    if expected.conforms:
        assert result.exit_code == ExitCode.OK, result.summary
        assert not lines
        extra = {(kind, name) for kind, _, name in _warnings(result)} - FAITHFUL_WARNINGS
        assert extra == {(kind, name) for kind, _, name in expected.warnings}
        assert expected.warnings <= _warnings(result)
        for kind, code, name in expected.warnings:
            assert f"undocumented {kind} code {code} {name!r}" in result.summary
        if mode == "added-field":
            # an added member is allowed: nothing about it anywhere
            assert all(check.passed for check in result.findings.data_checks), result.summary
            assert "CaseReference" not in result.summary
        return

    assert result.exit_code == ExitCode.CONTRACT_VIOLATION, result.summary
    assert "Result: DOES NOT CONFORM" in result.summary
    for named in expected.violations:
        matching = [
            line
            for line in lines
            if f" {named.operation} [{named.check}" in f" {line.split('. ', 1)[1]}"
            and named.text in line
        ]
        assert matching, f"{mode}: no violation {named} in:\n" + "\n".join(lines)
    # Each named violation was caught by a part of the suite that does not depend on the
    # seed or the fuzzing budget, so the default budget catches this mode too.
    seedless = {
        (v.operation, v.check) for v in result.findings.violations.values() if v.phase in SEEDLESS
    }
    for named in expected.violations:
        assert (named.operation, named.check) in seedless, (mode, named)
