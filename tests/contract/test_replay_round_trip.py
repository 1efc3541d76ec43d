"""A recording of ``kpb contract`` against a drifted simulator, replayed by another
simulator, gives the same contract findings: what a team records at KPB's test
environment is what a teammate sees offline.

The comparison uses only the public fields of ContractResult and Findings, so that a new
kind of finding is one more line in ``Comparable``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from contract_tests import REPORT_FILES, ContractResult, Limits, Outcome, Target, run_contract
from contract_tests._embedded import simulator_target
from kpb_sim import CertificateSet, Replay, Simulator

TargetFactory = Callable[[str | None], Target]


@dataclass(frozen=True)
class Comparable:
    """What must come back the same from a replay."""

    outcome: Outcome
    #: (operation, check) of each violation.
    violations: frozenset[tuple[str, str]]
    #: (kind, code, name) of each undocumented code.
    drift: frozenset[tuple[str, int, str]]
    #: (entry, subject, verdict) of each spec assumption shown.
    assumptions: frozenset[tuple[str, str, str]]
    #: (subject, passed, mismatches) of each data check.
    data_checks: frozenset[tuple[str, bool, tuple[str, ...]]]
    messages_reached: frozenset[str]
    refusals: frozenset[str]
    errors: tuple[str, ...]


def comparable(result: ContractResult) -> Comparable:
    findings = result.findings
    return Comparable(
        outcome=result.outcome,
        violations=frozenset((v.operation, v.check) for v in findings.violations.values()),
        drift=frozenset((code.kind, code.code, code.name) for code in findings.drift),
        assumptions=frozenset(findings.assumptions),
        data_checks=frozenset(
            (check.subject, check.passed, check.mismatches) for check in findings.data_checks
        ),
        messages_reached=frozenset(findings.messages_reached),
        refusals=frozenset(findings.refusals),
        errors=tuple(findings.errors),
    )


def run_replaying(
    recorded: ContractResult, certificates: CertificateSet, limits: Limits
) -> tuple[ContractResult, Replay]:
    """The same run, against a simulator that replays *recorded*'s recording."""
    replay = Replay.load([recorded.report_dir / REPORT_FILES["recording"]])
    with Simulator(certificates, replay=replay) as replaying:
        target = simulator_target(certificates, replaying, description="replaying simulator")
        result = run_contract(target, replace(limits, report_dir=limits.report_dir.with_name("re")))
    return result, replay


@pytest.mark.slow
@pytest.mark.parametrize(
    ("drift", "shows"),
    [
        ("wrong-type", "violations"),
        ("500-on-malformed-cpr", "violations"),
        ("undocumented-code", "drift"),
        ("first-cpr-wins", "assumptions"),
    ],
)
def test_a_replayed_recording_gives_the_same_findings(
    drift: str,
    shows: str,
    sim_target: TargetFactory,
    kpb_sim_certs: CertificateSet,
    self_test_limits: Limits,
) -> None:
    recorded = run_contract(sim_target(drift), self_test_limits)
    expected = comparable(recorded)
    assert getattr(expected, shows), recorded.summary  # the drift shows in the findings

    replayed, replay = run_replaying(recorded, kpb_sim_certs, self_test_limits)

    assert comparable(replayed) == expected, replayed.summary
    # Every request of the certificate under test was answered from the recording.
    assert replay.served > 0
    assert replay.missed == 0


@pytest.mark.slow
def test_a_replay_keeps_the_simulator_s_certificate_check(
    sim_target: TargetFactory, kpb_sim_certs: CertificateSet, self_test_limits: Limits
) -> None:
    # Recorded where data came without a certificate; the recording of that answer is
    # not replayed to a caller without one, so the violation does not come back.
    recorded = run_contract(sim_target("no-cert-required"), self_test_limits)
    unchecked = {
        (operation, "certificate_required")
        for operation in ("GET /Application", "GET /MedicalCertificate")
    }
    assert unchecked <= comparable(recorded).violations, recorded.summary

    replayed, replay = run_replaying(recorded, kpb_sim_certs, self_test_limits)

    assert not unchecked & comparable(replayed).violations, replayed.summary
    assert replay.served > 0
