"""Fixtures every test directory may use: certificates, HTTPS servers a test starts
(tests/ext/servers.py), and a log of the connections opened."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ext.pki import CA, Issued
from tests.ext.servers import Handler, TestServer
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


@pytest.fixture(scope="session")
def ca() -> CA:
    return CA()


@pytest.fixture(scope="session")
def server_cert(ca: CA) -> Issued:
    return ca.issue("localhost", server=True)


@pytest.fixture(scope="session")
def client_cert(ca: CA) -> Issued:
    return ca.issue("kpb test client", serial_attribute="CVR:12345678-FID:87654321")


@pytest.fixture(scope="session")
def ca_file(ca: CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ca.write(tmp_path_factory.mktemp("ca") / "ca.pem")


@pytest.fixture
def serve(server_cert: Issued, ca: CA) -> Iterator[Callable[..., TestServer]]:
    """Start a TestServer with *handler*; it is stopped after the test."""
    started: list[TestServer] = []

    def start(handler: Handler, **options: Any) -> TestServer:
        options.setdefault("server_cert", server_cert)
        options.setdefault("client_ca", ca)
        server = TestServer(handler, **options).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)
