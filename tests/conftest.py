"""Fixtures every test directory may use."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.support.connections import Connects

pytest_plugins = ["kpb_sim.pytest_plugin"]


@pytest.fixture
def connects() -> Iterator[Connects]:
    handler = Connects()
    log = logging.getLogger("httpcore.connection")
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    yield handler
    log.removeHandler(handler)
    log.setLevel(level)
