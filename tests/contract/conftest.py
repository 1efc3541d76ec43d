"""Fixtures for the contract suite's self-test: the suite run against the simulator."""

from __future__ import annotations

import functools
import json
import ssl
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from contract_tests import ContractResult, Limits, Target, run_contract
from contract_tests._embedded import simulator_target
from kpb_sim import CertificateSet, Simulator
from kpb_sim.pytest_plugin import SimulatorFactory

#: Fuzzing examples per operation for the drift runs. Every breaking mode must be caught
#: by a part of the suite that does not depend on this number (the examples and coverage
#: phases, the suite's own checks); test_contract_drift asserts that, so the default budget,
#: which runs those same parts, catches each mode too.
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


SELF_TEST_SEED = 20180612

DriftRuns = Callable[[str | None], ContractResult]


@pytest.fixture(scope="module")
def drift_runs(
    kpb_sim_certs: CertificateSet, tmp_path_factory: pytest.TempPathFactory
) -> DriftRuns:
    """``drift_runs(mode)``: the self-test's run against the simulator in that drift mode
    (None: faithful), made once per module and shared by the tests that read it."""
    results: dict[str | None, ContractResult] = {}

    def run(mode: str | None) -> ContractResult:
        if mode not in results:
            with Simulator(kpb_sim_certs, drift=mode) as simulator:
                target = simulator_target(
                    kpb_sim_certs, simulator, description=f"simulator, drift {mode or 'none'}"
                )
                limits = Limits(
                    max_examples=SELF_TEST_EXAMPLES,
                    max_requests=None,
                    rate=None,
                    seed=SELF_TEST_SEED,
                    report_dir=tmp_path_factory.mktemp(f"report-{mode or 'faithful'}"),
                )
                results[mode] = run_contract(target, limits)
        return results[mode]

    return run


@pytest.fixture
def self_test_limits(tmp_path: Path) -> Limits:
    """Loopback limits with a fixed seed and the self-test's budget; reports in tmp_path."""
    return Limits(
        max_examples=SELF_TEST_EXAMPLES,
        max_requests=None,
        rate=None,
        seed=SELF_TEST_SEED,
        report_dir=tmp_path / "report",
    )


class _HelloWorld(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(["Hello", "World"]).encode()
        self.send_response(200 if self.path == "/api/test" else 404)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _tls_server(
    certificates: CertificateSet, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion
) -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = minimum
        context.maximum_version = maximum
    context.load_cert_chain(certificates.server_cert, certificates.server_key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HelloWorld)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


TlsServer = Callable[[ssl.TLSVersion, ssl.TLSVersion], AbstractContextManager[str]]


@pytest.fixture
def tls_server(kpb_sim_certs: CertificateSet) -> TlsServer:
    """``with tls_server(minimum, maximum) as base_url``: an HTTPS server on loopback that
    answers ``GET /api/test`` over only those TLS versions. The simulator offers TLS 1.2
    and 1.3 only, so the suite's version probes need it to show that they can fail."""
    return functools.partial(_tls_server, kpb_sim_certs)
