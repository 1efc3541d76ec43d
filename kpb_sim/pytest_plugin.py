"""Pytest fixtures that run the simulator on free loopback ports.

Enable with ``pytest_plugins = ["kpb_sim.pytest_plugin"]`` in a ``conftest.py``.

- ``kpb_sim_certs``: a certificate set in a temporary directory (session).
- ``kpb_sim``: a faithful simulator (session).
- ``kpb_sim_factory``: ``factory(drift=None, data=None, replay=None, rehearsal=None)
  -> Simulator``, started; every simulator it made is stopped when the test ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from ._certificates import CertificateSet, create_certificates
from ._drift import DriftMode
from ._rehearsal import Rehearsal
from ._replay import Replay
from ._server import Simulator


class SimulatorFactory(Protocol):
    def __call__(
        self,
        drift: str | DriftMode | None = None,
        *,
        data: Path | str | None = None,
        replay: Replay | None = None,
        rehearsal: Rehearsal | None = None,
    ) -> Simulator: ...


@pytest.fixture(scope="session")
def kpb_sim_certs(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    return create_certificates(tmp_path_factory.mktemp("kpb-sim-certs"))


@pytest.fixture(scope="session")
def kpb_sim(kpb_sim_certs: CertificateSet) -> Iterator[Simulator]:
    with Simulator(kpb_sim_certs) as simulator:
        yield simulator


@pytest.fixture
def kpb_sim_factory(kpb_sim_certs: CertificateSet) -> Iterator[SimulatorFactory]:
    started: list[Simulator] = []

    def factory(
        drift: str | DriftMode | None = None,
        *,
        data: Path | str | None = None,
        replay: Replay | None = None,
        rehearsal: Rehearsal | None = None,
    ) -> Simulator:
        simulator = Simulator(
            kpb_sim_certs, drift=drift, data=data, replay=replay, rehearsal=rehearsal
        ).start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()
