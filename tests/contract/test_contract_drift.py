"""The suite's proof that it can fail, and that it fails only on what the PDF states:
every drift mode of the simulator, each with what the suite must say about it.

A breaking mode must make the run fail and the summary name the right violation. A
compatible mode (what an ASP.NET Web API 2 service plausibly does where the PDF is
silent) must pass with the CONFORMS outcome, and show up in the spec assumptions section
under its DISCREPANCIES.md entry. A drift mode without an expectation here fails this test.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from contract_tests import ContractResult, Limits, Outcome, Target, entries, run_contract
from contract_tests._assumptions import UNCHECKED
from contract_tests._findings import SEEDLESS
from contract_tests._learn import learn, render_lesson
from kpb_cli import cli
from kpb_sim import DRIFT_MODES

TargetFactory = Callable[[str | None], Target]
DriftRuns = Callable[[str | None], ContractResult]


@dataclass(frozen=True)
class Named:
    """A violation line of the summary: its operation, its check, and a telling text."""

    operation: str
    check: str
    text: str


@dataclass(frozen=True)
class Shown:
    """A line of the spec assumptions section: its entry, the verdict, a telling text."""

    entry: str
    verdict: str
    text: str


@dataclass(frozen=True)
class Expected:
    conforms: bool
    violations: tuple[Named, ...] = ()
    #: Undocumented codes beyond those of the faithful simulator: (kind, code, name).
    warnings: frozenset[tuple[str, int, str]] = field(default_factory=frozenset)
    #: What the spec assumptions section must show.
    assumptions: tuple[Shown, ...] = ()


#: The faithful simulator, like the PDF's example, sends application status 11, and a code
#: of its choice for Bilag A's "Klar til bestilling" (D4): reported, never failures.
FAITHFUL_WARNINGS = {
    ("application status", "Prøve bestilt"),
    ("application status", "Klar til bestilling"),
}
#: What the faithful simulator confirms: its answers are the spec's assumptions.
FAITHFUL_ASSUMPTIONS = (
    Shown("D4", "confirmed", "application status code 11 'Prøve bestilt'"),
    Shown("D14", "confirmed", "a repeated cpr (cpr=0702614074&cpr=0702614074): 400"),
    Shown("D22", "confirmed", "Applications[].ApplicationExams[].ExamLocation: null"),
    Shown("B3", "confirmed", 'application status "Klar til bestilling": code 12'),
    Shown("D15", "confirmed", "route in lower case (/application?cpr=…): the same answer"),
    Shown("D14", "confirmed", "an empty cpr (cpr=): 400"),
    Shown("D19", "confirmed", "POST /Application, which the spec does not define: 405"),
    Shown("D12", "confirmed", "the end of the 404 message"),
)

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
            Named("GET /Application", "invalid_cpr_answered", "got: 500"),
            Named("GET /MedicalCertificate", "invalid_cpr_answered", "got: 500"),
        ),
    ),
    "undocumented-code": Expected(
        conforms=True,
        warnings=frozenset({("exam status", 77, "Prøve flyttet")}),
        assumptions=(Shown("D4", "confirmed", "exam status code 77 'Prøve flyttet'"),),
    ),
    "added-field": Expected(
        conforms=True,
        assumptions=(
            Shown("D23", "confirmed", "GET /Application Applications[].CaseReference: sent"),
            Shown("D23", "confirmed", "MedicalCertificates[].CaseReference: sent"),
        ),
    ),
    "nulls": Expected(
        conforms=True,
        assumptions=(
            Shown("D22", "confirmed", "Applications[].ApplicationEvents[].User: null"),
            Shown("D22", "confirmed", "Applications[].ApplicationExams: null"),
            Shown("D22", "confirmed", "Applications[].ExamTypeName: null"),
        ),
    ),
    "message-detail": Expected(
        conforms=True,
        assumptions=(Shown("D18", "confirmed", "404 error body: MessageDetail beside Message"),),
    ),
    "first-cpr-wins": Expected(
        conforms=True,
        assumptions=(
            Shown(
                "D14",
                "contradicted",
                "a repeated cpr, two numbers (cpr=0702614074&cpr=0107529039): assumed 400 "
                '{"Message":"Parameter \\"cpr\\" er ugyldig."}; got 200 with the data of the '
                "first value (cpr=0702614074)",
            ),
            Shown("D14", "contradicted", "a repeated cpr, other letter case"),
            Shown("D14", "confirmed", "a cpr that is not 10 digits (cpr=070261-4074): 400"),
        ),
    ),
    "text-json": Expected(
        conforms=True,
        assumptions=(
            Shown(
                "D24",
                "contradicted",
                "the media type of a JSON answer: assumed application/json, as Web API 2 "
                "sends unless asked for text/json; got text/json",
            ),
        ),
    ),
    "event-type-string": Expected(
        conforms=True,
        assumptions=(
            Shown(
                "D3",
                "contradicted",
                "GET /Application ApplicationEvents[].Type: assumed an integer code (the PDF's "
                "example); got a string, as the PDF's table types it",
            ),
        ),
    ),
}


def _violation_lines(result: ContractResult) -> list[str]:
    summary = result.summary
    if "\nViolations (" not in summary:
        return []
    section = summary.split("\nViolations (", 1)[1].split("\n\n", 1)[0]
    return section.splitlines()[1:]


def _warnings(result: ContractResult) -> set[tuple[str, int, str]]:
    return {(code.kind, code.code, code.name) for code in result.findings.drift}


def _assumption_lines(result: ContractResult) -> dict[str, list[str]]:
    """The spec assumptions section: entry -> its heading and result lines."""
    section = result.summary.split("\nSpec assumptions (", 1)[1].split("\n\n", 1)[0]
    entries: dict[str, list[str]] = {}
    for line in section.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("    "):
            current = entries.setdefault(line.split()[0], [line])
        elif line.startswith("    "):
            current.append(line)
    return entries


def assert_shown(result: ContractResult, shown: Shown) -> None:
    """The finding is recorded, and its entry is in the summary with the verdict."""
    lines = _assumption_lines(result).get(shown.entry)
    assert lines, f"{shown.entry} is not in the spec assumptions section:\n{result.summary}"
    found = [
        a.line()
        for a in result.findings.assumptions.values()
        if a.entry == shown.entry and a.verdict == shown.verdict
    ]
    assert any(shown.text in line for line in found), f"no {shown} in:\n" + "\n".join(found)
    if shown.verdict == "contradicted":
        assert "CONTRADICTED: revise this entry" in lines[0]
        assert any(line.strip().startswith("-") and shown.text in line for line in lines)


def test_faithful_simulator_conforms_with_the_default_budget(
    sim_target: TargetFactory, self_test_limits: Limits
) -> None:
    target = sim_target(None)
    limits = dataclasses.replace(
        Limits.defaults_for(target, seed=self_test_limits.seed),
        report_dir=self_test_limits.report_dir,
    )
    result = run_contract(target, limits)

    assert result.outcome == Outcome.CONFORMS, result.summary
    assert "Result: CONFORMS" in result.summary
    assert not result.findings.violations
    assert not result.findings.errors
    assert {(kind, name) for kind, _, name in _warnings(result)} == FAITHFUL_WARNINGS
    assert ("application status", 11, "Prøve bestilt") in _warnings(result)
    for shown in FAITHFUL_ASSUMPTIONS:
        assert_shown(result, shown)
    # the simulator shares the spec's guesses: it contradicts none of them
    assert "contradicted" not in {a.verdict for a in result.findings.assumptions.values()}
    assert len(result.findings.data_checks) == 14
    assert all(check.passed for check in result.findings.data_checks), result.summary
    # every documented error message was provoked, with the simulator's other certificates
    assert "not reached" not in result.summary


@pytest.mark.parametrize("mode", list(DRIFT_MODES))
def test_drift_mode(mode: str, drift_runs: DriftRuns) -> None:
    assert mode in EXPECTED, f"drift mode {mode!r} is new: say here what the suite must report"
    expected = EXPECTED[mode]
    assert DRIFT_MODES[mode].breaking is not expected.conforms

    result = drift_runs(mode)

    lines = _violation_lines(result)
    if expected.conforms:
        assert result.outcome == Outcome.CONFORMS, result.summary
        assert not lines
        extra = {(kind, name) for kind, _, name in _warnings(result)} - FAITHFUL_WARNINGS
        assert extra == {(kind, name) for kind, _, name in expected.warnings}
        assert expected.warnings <= _warnings(result)
        for kind, code, name in expected.warnings:
            assert f"{kind} code {code} {name!r}" in result.summary
        assert expected.assumptions, f"{mode}: say which assumption it shows"
        for shown in expected.assumptions:
            assert_shown(result, shown)
        _assert_junit_never_fails(result)
        return

    assert result.outcome == Outcome.DOES_NOT_CONFORM, result.summary
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


def test_every_assumption_is_shown_by_a_run_or_said_to_be_uncheckable(
    drift_runs: DriftRuns,
) -> None:
    # The faithful simulator and the compatible modes, together, show every assumption of
    # DISCREPANCIES.md that a request can show: each has a check in the suite.
    shown: set[str] = set()
    for mode in [None, *(name for name, m in DRIFT_MODES.items() if not m.breaking)]:
        shown |= {a.entry for a in drift_runs(mode).findings.assumptions.values()}
    assumptions = {e.id for e in entries().values() if e.kind == "assumption"}
    assert shown <= assumptions  # nothing tied to a fact or to no entry
    assert assumptions - shown == set(UNCHECKED)


def _assert_junit_never_fails(result: ContractResult) -> None:
    """CI reads junit.xml: an assumption or a data check is never a failure there; a
    contradicted one is a skip that gives the reason, and each is a test's property."""
    root = ET.parse(result.report_dir / "junit.xml").getroot()  # noqa: S314 (our own file)
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors")) == ("0", "0")
    reasons = [
        skipped.get("message", "")
        for case in suite.iter("testcase")
        if (skipped := case.find("skipped")) is not None
    ]
    assumptions = result.findings.assumptions.values()
    for entry in {a.entry for a in assumptions if a.verdict == "contradicted"}:
        marker = f"spec assumption contradicted (reported, not judged): {entry} "
        assert any(marker in reason for reason in reasons), (entry, reasons)
    properties = {p.get("value") for p in suite.iter("property") if p.get("name") == "assumption"}
    assert {a.entry for a in assumptions} <= properties


# -- kpb spec learn: what a recording of each mode teaches --------------------------------

#: mode -> (entries it must contradict, a change the patch list must hold)
LEARNED: dict[str | None, tuple[set[str], str]] = {
    None: (set(), ""),
    "first-cpr-wins": ({"D14"}, "spec/DISCREPANCIES.md D14 No rule for a malformed"),
    "event-type-string": (
        {"D3"},
        'Elev 1 (cpr 0702614074), Applications[0].ApplicationEvents[0].Type: 1 -> "1"',
    ),
    "nulls": (
        set(),
        "Elev 3 (cpr 0701614038), Applications[0].ApplicationEvents[0].User: "
        '"Borgerservice, Københavns kommune" -> null',
    ),
    # an answer the spec rejects is a violation to report, not data for the simulator
    "wrong-type": (
        set(),
        "none to kpb_sim/data/bilag_a.yaml from Elev 2 (cpr 0107529039) GET "
        "/MedicalCertificate: the answer does not conform to the spec "
        '(MedicalCertificates[0].Status.Code: "1" is not of type "integer")',
    ),
    "undocumented-code": (
        set(),
        "Elev 3 (cpr 0701614038), Applications[0].ApplicationExams[0].ExamStatus.Code: 2 -> 77",
    ),
}


@pytest.mark.parametrize("mode", LEARNED, ids=lambda mode: mode or "faithful")
def test_spec_learn_names_the_entries_and_the_data_to_revise(
    mode: str | None, drift_runs: DriftRuns
) -> None:
    contradicts, change = LEARNED[mode]
    result = drift_runs(mode)
    lesson = learn([result.report_dir / "exchanges.har"])

    verdicts = {(a.entry, a.verdict) for a in lesson.findings.assumptions.values()}
    assert {e for e, v in verdicts if v == "contradicted"} == contradicts
    # what the live run judged, the recording judges the same way
    live = {(a.entry, a.verdict) for a in result.findings.assumptions.values()}
    assert verdicts >= {(e, v) for e, v in live if e not in ("D12",)} - {("D15", "confirmed")}
    report = render_lesson(lesson)
    changes = report.split("\nChanges to make\n", 1)[1]
    if change:
        assert change in changes, changes
    else:
        assert changes.startswith("  none:"), changes
    assert not lesson.unrecorded  # the contract run asks for all seven persons


def test_spec_learn_command(drift_runs: DriftRuns, tmp_path: Path) -> None:
    har = drift_runs("first-cpr-wins").report_dir / "exchanges.har"
    result = CliRunner().invoke(cli, ["spec", "learn", str(har)])
    assert result.exit_code == 0, result.output
    assert "D14 No rule for a malformed or repeated cpr: CONTRADICTED" in result.output

    broken = tmp_path / "broken.har"
    broken.write_text('{"log": {"entries": [{"request": 1}]}}', encoding="utf-8")
    refused = CliRunner().invoke(cli, ["spec", "learn", str(broken)])
    assert refused.exit_code == 2
    assert "is not HAR 1.2" in refused.output
    assert "Traceback" not in refused.output
