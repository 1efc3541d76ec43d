"""Fixtures for the contract suite's self-test: the suite run against the simulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contract_tests import Limits, Target
from contract_tests._embedded import simulator_target
from kpb_sim import CertificateSet
from kpb_sim.pytest_plugin import SimulatorFactory

#: Fuzzing examples per operation for the drift runs. Every breaking mode must be caught
#: by a part of the suite that does not depend on this number (the examples and coverage
#: phases, the suite's own checks); test_drift asserts that, so the default budget, which
#: runs those same parts, catches each mode too.
SELF_TEST_EXAMPLES = 10

TargetFactory = Callable[[str | None], Target]


@pytest.fixture
def sim_target(kpb_sim_certs: CertificateSet, kpb_sim_factory: SimulatorFactory) -> TargetFactory:
    """``sim_target(drift)``: a started simulator, with that drift mode, as a target."""

    def make(drift: str | None = None) -> Target:
        simulator = kpb_sim_factory(drift)
        return simulator_target(
            kpb_sim_certs, simulator, description=f"simulator, drift {drift or 'none'}"
        )

    return make


@pytest.fixture
def self_test_limits(tmp_path: Path) -> Limits:
    """Loopback limits with a fixed seed and the self-test's budget; reports in tmp_path."""
    return Limits(
        max_examples=SELF_TEST_EXAMPLES,
        max_requests=None,
        rate=None,
        seed=20180612,
        report_dir=tmp_path / "report",
    )
