"""TLS, HTTP and lifecycle: versions, the expired-certificate handshake, the plain-HTTP
refusal, keep-alive, concurrency, shutdown, start-up time and curl."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import statistics
import subprocess
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kpb_sim import CertificateSet, Simulator, load_certificates

ELEV_1 = "0702614074"


def _handshake(sim: Simulator, context: ssl.SSLContext) -> str:
    with (
        socket.create_connection(("127.0.0.1", sim.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return str(tls.version())


def _client_context(certs: CertificateSet, version: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certs.ca_cert)
    # Let this client offer old versions, so that any refusal is the server's.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = version
        context.maximum_version = version
    return context


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_tls_before_1_2_is_refused(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, version: str
) -> None:
    context = _client_context(kpb_sim_certs, ssl.TLSVersion[version])
    with pytest.raises(ssl.SSLError) as refused:
        _handshake(kpb_sim, context)
    # The server's protocol_version alert, not a client-side limitation.
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"


@pytest.mark.parametrize(("version", "name"), [("TLSv1_2", "TLSv1.2"), ("TLSv1_3", "TLSv1.3")])
def test_tls_1_2_and_1_3_are_accepted(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, version: str, name: str
) -> None:
    assert _handshake(kpb_sim, _client_context(kpb_sim_certs, ssl.TLSVersion[version])) == name


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_expired_certificate_completes_the_handshake_and_gets_401(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, client: Any, version: str
) -> None:
    context = _client_context(kpb_sim_certs, ssl.TLSVersion[version])
    expired = kpb_sim_certs.client("expired")
    context.load_cert_chain(expired.cert, expired.key)
    with (
        socket.create_connection(("127.0.0.1", kpb_sim.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(f"GET /api/Application?cpr={ELEV_1} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = tls.recv(4096)
    assert head.startswith(b"HTTP/1.1 401 Unauthorized\r\n")
    assert head.endswith(b'{"Message":"Certificate not verified"}')


def test_without_no_check_time_the_expired_certificate_fails_the_handshake(
    kpb_sim_certs: CertificateSet,
) -> None:
    """Why the simulator sets X509_V_FLAG_NO_CHECK_TIME: without it OpenSSL rejects the
    expired certificate during the handshake and no 401 could be answered."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(kpb_sim_certs.server_cert, kpb_sim_certs.server_key)
    server_context.load_verify_locations(kpb_sim_certs.ca_cert)
    server_context.verify_mode = ssl.CERT_OPTIONAL
    errors: list[BaseException] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def serve_one() -> None:
            connection, _ = listener.accept()
            try:
                with server_context.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(1)
            except ssl.SSLError as exc:
                errors.append(exc)
            finally:
                connection.close()

        thread = threading.Thread(target=serve_one)
        thread.start()
        context = ssl.create_default_context(cafile=kpb_sim_certs.ca_cert)
        expired = kpb_sim_certs.client("expired")
        context.load_cert_chain(expired.cert, expired.key)
        port = listener.getsockname()[1]
        with (
            contextlib.suppress(ssl.SSLError, OSError),
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.sendall(b"x")
            tls.recv(1)
        thread.join(5)
    assert [getattr(e, "verify_message", None) for e in errors] == ["certificate has expired"]


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("GET", "/api/test"),
        ("GET", f"/api/Application?cpr={ELEV_1}"),
        ("GET", f"/api/MedicalCertificate?cpr={ELEV_1}"),
        ("GET", "/api/nothing"),
        ("GET", "/"),
        ("POST", "/api/Application"),
        ("DELETE", "/api/test"),
    ],
)
def test_plain_http_gets_403_https_required(
    kpb_sim: Simulator, client: Any, method: str, target: str
) -> None:
    answer = client.request(f"http://127.0.0.1:{kpb_sim.http_port}{target}", method=method)
    assert answer.status == 403
    assert answer.json() == {"Message": "HTTPS Required"}


def test_keep_alive_serves_many_requests_on_one_connection(kpb_sim: Simulator, client: Any) -> None:
    for base in (kpb_sim.base_url, kpb_sim.http_base_url):
        connection = client.connect(base)
        try:
            first = client.request(f"{base}/test", connection=connection)
            sock = connection.sock
            assert sock is not None
            second = client.request(f"{base}/Application?cpr={ELEV_1}", connection=connection)
            third = client.request(f"{base}/test", method="POST", body=b"{}", connection=connection)
            fourth = client.request(f"{base}/test", connection=connection)
            assert connection.sock is sock  # no reconnection happened
            assert "close" not in (first.headers.get("Connection") or "")
            statuses = [a.status for a in (first, second, third, fourth)]
            expected = [200, 200, 405, 200] if base.startswith("https") else [403] * 4
            assert statuses == expected
        finally:
            connection.close()


def test_request_latency_is_reported(kpb_sim: Simulator, client: Any, report: Any) -> None:
    """Pooled requests must not pay Nagle's algorithm plus delayed ACK (about 40 ms)."""
    url = f"{kpb_sim.base_url}/Application?cpr={ELEV_1}"
    connection = client.connect(kpb_sim.base_url)
    pooled, fresh = [], []
    try:
        for _ in range(50):
            started = time.perf_counter()
            assert client.request(url, connection=connection).status == 200
            pooled.append(time.perf_counter() - started)
    finally:
        connection.close()
    for _ in range(10):
        started = time.perf_counter()
        assert client.request(url).status == 200
        fresh.append(time.perf_counter() - started)
    report(
        f"Application request, Elev 1: median {statistics.median(pooled) * 1000:.2f} ms on a "
        f"kept-alive connection, {statistics.median(fresh) * 1000:.2f} ms with a new TLS "
        "connection each"
    )


def test_connection_close_is_honoured(kpb_sim: Simulator, client: Any) -> None:
    connection = client.connect(kpb_sim.base_url)
    try:
        connection.request("GET", "/api/test", headers={"Connection": "close"})
        response = connection.getresponse()
        assert response.getheader("Connection") == "close"
        assert response.read() == b'["Hello","World"]'
        assert response.will_close
    finally:
        connection.close()


def test_concurrent_connections(kpb_sim: Simulator, client: Any) -> None:
    cprs = ["0702614074", "0107529039", "0701614038", "0709614401"]

    def work(number: int) -> list[int]:
        cert = ("registered", "application-only", None, "unregistered")[number % 4]
        connection = client.connect(kpb_sim.base_url, cert)
        try:
            return [
                client.request(
                    f"{kpb_sim.base_url}/Application?cpr={cpr}", connection=connection
                ).status
                for cpr in cprs
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(work, range(48)))
    expected = {0: 200, 1: 200, 2: 401, 3: 401}
    assert results == [[expected[n % 4]] * len(cprs) for n in range(48)]


def test_a_silent_client_does_not_stall_others(kpb_sim: Simulator, client: Any) -> None:
    """The TLS handshake runs in the connection's own thread, not in the accept loop."""
    silent = [socket.create_connection(("127.0.0.1", kpb_sim.port)) for _ in range(3)]
    try:
        answer = client.request(f"{kpb_sim.base_url}/test")  # times out after 10 s if stalled
        assert answer.status == 200
    finally:
        for sock in silent:
            sock.close()


def test_garbage_does_not_hurt_the_server(kpb_sim: Simulator, client: Any) -> None:
    with socket.create_connection(("127.0.0.1", kpb_sim.port), timeout=5) as raw:
        raw.sendall(b"GET /api/test HTTP/1.1\r\n\r\n")  # plain HTTP on the TLS port
        with contextlib.suppress(ConnectionResetError):
            assert raw.recv(100) == b""  # the server hangs up
    with socket.create_connection(("127.0.0.1", kpb_sim.http_port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1 trailing-words\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400 ")
    assert client.request(f"{kpb_sim.base_url}/test").status == 200


def test_stop_closes_open_connections_and_frees_the_ports(
    kpb_sim_certs: CertificateSet, client: Any, report: Any
) -> None:
    sim = Simulator(kpb_sim_certs).start()
    port, http_port = sim.port, sim.http_port
    idle = [client.connect(sim.base_url), client.connect(sim.http_base_url)]
    for connection, base in zip(idle, (sim.base_url, sim.http_base_url), strict=True):
        client.request(f"{base}/test", connection=connection)
    started = time.perf_counter()
    sim.stop()
    report(f"stop with two idle keep-alive connections: {time.perf_counter() - started:.3f} s")
    assert not sim.running
    for connection in idle:
        assert connection.sock is not None
        connection.sock.settimeout(5)
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            assert connection.sock.recv(1) == b""
        connection.close()
    for free in (port, http_port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", free), timeout=5)
    with pytest.raises(RuntimeError, match="not running"):
        _ = sim.base_url


def test_start_time_with_an_existing_certificate_set(
    kpb_sim_certs: CertificateSet, client: Any, report: Any
) -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        sim = Simulator(load_certificates(kpb_sim_certs.directory)).start()
        timings.append(time.perf_counter() - started)
        try:
            assert client.request(f"{sim.base_url}/test").status == 200
        finally:
            sim.stop()
    report(
        f"Simulator start with an existing certificate set (in process, 5 runs): "
        f"best {min(timings) * 1000:.1f} ms, worst {max(timings) * 1000:.1f} ms"
    )


def test_context_manager_and_repr(kpb_sim_certs: CertificateSet) -> None:
    with Simulator(kpb_sim_certs, drift="added-field") as sim:
        assert sim.base_url == f"https://127.0.0.1:{sim.port}/api"
        assert sim.http_base_url == f"http://127.0.0.1:{sim.http_port}/api"
        assert sim.port != sim.http_port
        assert repr(sim) == f"<Simulator {sim.base_url}, drift='added-field'>"
        with pytest.raises(RuntimeError, match="already running"):
            sim.start()
    assert repr(sim) == "<Simulator stopped, drift='added-field'>"


def test_a_busy_port_is_reported(kpb_sim: Simulator, kpb_sim_certs: CertificateSet) -> None:
    with pytest.raises(OSError, match="in use"):
        Simulator(kpb_sim_certs, port=kpb_sim.port).start()
    with pytest.raises(OSError, match="in use"):
        Simulator(kpb_sim_certs, http_port=kpb_sim.http_port).start()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_with_and_without_the_registered_certificate(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    registered = kpb_sim_certs.client("registered")
    url = f"{kpb_sim.base_url}/Application?cpr={ELEV_1}"
    base = ["curl", "--silent", "--show-error", "--cacert", str(kpb_sim_certs.ca_cert)]
    with_cert = subprocess.run(
        [*base, "--cert", str(registered.cert), "--key", str(registered.key), url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert '"Name":"Teoriprøve bestilt","User":"Kørelærer 1, Køreskole 1"' in with_cert.stdout
    without = subprocess.run(
        [*base, "--write-out", "\n%{http_code}", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert without.stdout == '{"Message":"Certificate required"}\n401'


def test_the_registered_p12_works_for_a_client(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, client: Any, tmp_path: Path
) -> None:
    """The PKCS#12 files hold a usable identity (converted in memory to a temporary PEM
    here, as Python's ssl reads only files)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    registered = kpb_sim_certs.client("registered")
    assert registered.p12_legacy is not None
    for p12 in (registered.p12, registered.p12_legacy):
        loaded = pkcs12.load_pkcs12(p12.read_bytes(), registered.password.encode())
        assert loaded.key is not None
        assert loaded.cert is not None
        cert, key = tmp_path / f"{p12.stem}.pem", tmp_path / f"{p12.stem}-key.pem"
        cert.write_bytes(loaded.cert.certificate.public_bytes(serialization.Encoding.PEM))
        key.write_bytes(
            loaded.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        answer = client.request(f"{kpb_sim.base_url}/MedicalCertificate?cpr={ELEV_1}", (cert, key))
        assert answer.status == 200
