"""The clients over real TLS on loopback, against servers that answer as each test needs."""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kpb_ext import (
    AccessNotAllowedError,
    AsyncKpbClient,
    CertificateRequiredError,
    ClientCertificate,
    ConnectionFailedError,
    HttpsRequiredError,
    InvalidCprError,
    InvalidResponseError,
    KpbClient,
    KpbResponseError,
    KpbTimeoutError,
    MissingParameterError,
    NotFoundError,
    RetryPolicy,
    TlsError,
    TransportError,
    UnexpectedStatusError,
)

from . import examples
from .pki import CA, Issued
from .servers import Reply, Request, TestServer, closed_port, kpb

pytestmark = pytest.mark.network
Serve = Callable[..., TestServer]
CPR = "0702614074"
NO_RETRY = RetryPolicy.none()
FAST_RETRY = RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05, jitter=0.01, total=10)


@pytest.fixture
def certificate(client_cert: Issued) -> ClientCertificate:
    return ClientCertificate(client_cert.cert, client_cert.key)


@pytest.fixture
def client_for(certificate: ClientCertificate, ca_file: Path) -> Callable[..., KpbClient]:
    made: list[KpbClient] = []

    def make(server: TestServer, **options: object) -> KpbClient:
        options.setdefault("certificate", certificate)
        options.setdefault("retry", NO_RETRY)
        client = KpbClient(base_url=server.base_url, ca_bundle=ca_file, **options)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in made:
        client.close()


# -- the happy path ----------------------------------------------------------------------


def test_lookups_over_one_mutual_tls_connection(
    serve: Serve, client_for: Callable[..., KpbClient]
) -> None:
    server = serve(kpb)
    with client_for(server) as client:
        assert client.ping() == ["Hello", "World"]
        certificates = client.medical_certificates("070261-4074")
        applications = client.applications(CPR)
        for _ in range(3):
            client.applications(CPR)
    assert certificates[0].status.name == "Godkendt"
    assert applications[0].application_status.code == 11
    assert [r.query["cpr"] for r in server.requests[1:]] == [[CPR]] * 5
    assert all(r.client_subject for r in server.requests)
    # One client port: one connection, so one TLS handshake.
    assert len({r.client_port for r in server.requests}) == 1


def test_ping_needs_no_certificate(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    server = serve(kpb)
    client = client_for(server, certificate=None)
    assert client.ping() == ["Hello", "World"]
    with pytest.raises(CertificateRequiredError) as caught:
        client.applications(CPR)
    assert caught.value.status_code == 401


def test_invalid_cpr_is_rejected_before_sending(
    serve: Serve, client_for: Callable[..., KpbClient]
) -> None:
    server = serve(kpb)
    client = client_for(server)
    with pytest.raises(InvalidCprError, match="has 9 digits"):
        client.applications("070261407")
    with pytest.raises(InvalidCprError, match="day 32"):
        client.medical_certificates("3202614074")
    assert server.count() == 0


def test_base_url_forms(serve: Serve) -> None:
    server = serve(kpb)
    with KpbClient(base_url=server.base_url + "/") as client:
        assert client.base_url == server.base_url
    with pytest.raises(ValueError, match="either environment"):
        KpbClient()
    with pytest.raises(ValueError, match="either environment"):
        KpbClient(environment="test", base_url=server.base_url)
    with pytest.raises(ValueError, match="'test' or 'production'"):
        KpbClient(environment="staging")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not https://"):
        KpbClient(base_url="ftp://kpb.example/api")
    with KpbClient(environment="production") as production:
        assert production.base_url == "https://service-koreprovebooking.dk/api"
        assert "certificate=none" in repr(production)


# -- KPB's documented errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "cls"),
    [
        (Reply.message(400, 'Parameter "cpr" mangler.'), MissingParameterError),
        (Reply.message(401, "Access not allowed for Certificate"), AccessNotAllowedError),
        (Reply.message(403, "HTTPS Required"), HttpsRequiredError),
        (Reply.message(404, f"No HTTP resource ... 'https://x/api/Foo?cpr={CPR}'."), NotFoundError),
        (Reply.message(500, "An error has occurred."), UnexpectedStatusError),
        (
            Reply(520, b"<html>origin error</html>", {"Content-Type": "text/html"}),
            UnexpectedStatusError,
        ),
        (Reply(302, b"", {"Location": f"https://login.example/?cpr={CPR}"}), UnexpectedStatusError),
    ],
)
def test_statuses(
    serve: Serve, client_for: Callable[..., KpbClient], reply: Reply, cls: type[KpbResponseError]
) -> None:
    server = serve(lambda request: reply)
    with pytest.raises(cls) as caught:
        client_for(server).applications(CPR)
    assert type(caught.value) is cls
    assert caught.value.status_code == reply.status
    assert CPR not in str(caught.value)
    assert server.count() == 1


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (
            Reply(
                200,
                b"<html><body>Welcome to the proxy</body></html>",
                {"Content-Type": "text/html"},
            ),
            200,
        ),
        (Reply(200, json.dumps(examples.applications()).encode()[:-20]), 200),
        (Reply.json({"Applications": [{"Id": "x"}]}), 200),
        (Reply.json({"Applications": {}}), 200),
        (Reply(401, b"<h1>401 Unauthorized</h1>", {"Content-Type": "text/html"}), 401),
        (Reply(200, b""), 200),
    ],
    ids=["html", "truncated", "wrong-shape", "object-for-array", "html-401", "empty"],
)
def test_invalid_bodies(
    serve: Serve, client_for: Callable[..., KpbClient], reply: Reply, status: int
) -> None:
    server = serve(lambda request: reply)
    with pytest.raises(InvalidResponseError) as caught:
        client_for(server).applications(CPR)
    assert caught.value.status_code == status
    assert caught.value.excerpt.startswith(" ".join(reply.body.decode()[:50].split()))


# -- transport ---------------------------------------------------------------------------


def test_timeout(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    server = serve(lambda request: Reply.json(["Hello", "World"], delay=1.0))
    with pytest.raises(KpbTimeoutError, match="waiting for the answer"):
        client_for(server, timeout=0.2).ping()


def test_connection_refused(certificate: ClientCertificate, ca_file: Path) -> None:
    with (
        KpbClient(
            base_url=f"https://127.0.0.1:{closed_port()}/api", ca_bundle=ca_file, retry=NO_RETRY
        ) as client,
        pytest.raises(ConnectionFailedError) as caught,
    ):
        client.ping()
    assert "IP addresses registered" in caught.value.hint


def test_server_hangs_up(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    server = serve(lambda request: Reply(hang_up=True))
    with pytest.raises(ConnectionFailedError):
        client_for(server).applications(CPR)


def test_server_certificate_from_another_ca(
    serve: Serve, client_for: Callable[..., KpbClient]
) -> None:
    stranger = CA("some other CA").issue("localhost", server=True)
    server = serve(kpb, server_cert=stranger)
    with pytest.raises(TlsError, match="CERTIFICATE_VERIFY_FAILED") as caught:
        client_for(server).ping()
    assert "ca_bundle" in caught.value.hint
    assert server.count() == 0


def test_server_trusted_only_through_the_ca_bundle(
    serve: Serve, certificate: ClientCertificate
) -> None:
    server = serve(kpb)
    # Without ca_bundle only the system store is trusted.
    with KpbClient(base_url=server.base_url, retry=NO_RETRY) as client, pytest.raises(TlsError):
        client.ping()


def test_server_requires_a_client_certificate(
    serve: Serve, client_for: Callable[..., KpbClient]
) -> None:
    server = serve(kpb, require_client_cert=True)
    with pytest.raises(TlsError) as caught:
        client_for(server, certificate=None).applications(CPR)
    assert "client certificate" in caught.value.hint


def test_client_certificate_from_an_untrusted_ca(
    serve: Serve, client_for: Callable[..., KpbClient]
) -> None:
    outsider = CA("outsider").issue("outsider client")
    server = serve(kpb, require_client_cert=True)
    with pytest.raises(TlsError):
        client_for(server, certificate=ClientCertificate(outsider.cert, outsider.key)).applications(
            CPR
        )


def test_tls_to_a_plain_http_port(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    plain = serve(kpb, server_cert=None)
    with (
        KpbClient(base_url=plain.base_url.replace("http://", "https://"), retry=NO_RETRY) as client,
        pytest.raises(TransportError),
    ):
        client.ping()


def test_https_required_from_kpb(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    # The client sends nothing over plain HTTP (test_urls), but a proxy in between may
    # speak plain HTTP to KPB, which then answers 403 through the TLS connection.
    server = serve(lambda request: Reply.message(403, "HTTPS Required"))
    with pytest.raises(HttpsRequiredError) as caught:
        client_for(server).ping()
    assert "https://" in caught.value.hint


def test_a_tls_1_2_only_server(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    # KPB speaks TLS 1.2 (PDF §3); the client also offers 1.3, never less than 1.2.
    server = serve(kpb, maximum_tls=ssl.TLSVersion.TLSv1_2)
    client = client_for(server)
    assert client.applications(CPR)[0].application_status.name == "Prøve bestilt"


# -- retries -----------------------------------------------------------------------------


def failing_then_ok(failures: int, reply: Reply) -> Callable[[Request], Reply]:
    calls = {"n": 0}

    def handler(request: Request) -> Reply:
        calls["n"] += 1
        if calls["n"] <= failures:
            return reply
        return Reply.json(["Hello", "World"])

    return handler


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retried_statuses(serve: Serve, client_for: Callable[..., KpbClient], status: int) -> None:
    server = serve(failing_then_ok(2, Reply.message(status, "busy")))
    assert client_for(server, retry=FAST_RETRY).ping() == ["Hello", "World"]
    assert server.count() == 3


def test_retries_are_bounded(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    server = serve(lambda request: Reply.message(503, "down"))
    with pytest.raises(UnexpectedStatusError):
        client_for(server, retry=FAST_RETRY).ping()
    assert server.count() == FAST_RETRY.attempts


@pytest.mark.parametrize(
    "reply",
    [
        Reply.message(400, 'Parameter "cpr" mangler.'),
        Reply.message(401, "Certificate doesn't exist"),
        Reply.message(404, "No HTTP resource was found"),
        Reply.message(500, "An error has occurred."),
        Reply(200, b"<html>"),
    ],
)
def test_never_retried(serve: Serve, client_for: Callable[..., KpbClient], reply: Reply) -> None:
    server = serve(lambda request: reply)
    with pytest.raises((KpbResponseError, InvalidResponseError)):
        client_for(server, retry=FAST_RETRY).applications(CPR)
    assert server.count() == 1


def test_retry_after_is_obeyed(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    server = serve(failing_then_ok(1, Reply(503, b"", {"Retry-After": "1"})))
    assert client_for(server, retry=FAST_RETRY).ping() == ["Hello", "World"]
    first, second = server.requests
    assert second.at - first.at >= 0.9  # backoff alone would have waited 0.06 s at most


def test_retry_after_beyond_the_bound_is_not_waited_for(
    serve: Serve, client_for: Callable[..., KpbClient]
) -> None:
    server = serve(failing_then_ok(1, Reply(429, b"", {"Retry-After": "3600"})))
    with pytest.raises(UnexpectedStatusError) as caught:
        client_for(server, retry=FAST_RETRY).ping()
    assert caught.value.retry_after == 3600
    assert server.count() == 1


def test_timeouts_are_retried(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    calls = {"n": 0}

    def slow_once(request: Request) -> Reply:
        calls["n"] += 1
        return Reply.json(["Hello", "World"], delay=0.6 if calls["n"] == 1 else 0)

    server = serve(slow_once)
    assert client_for(server, retry=FAST_RETRY, timeout=0.2).ping() == ["Hello", "World"]
    assert server.count() == 2


def test_connection_failures_are_retried(certificate: ClientCertificate, ca_file: Path) -> None:
    with KpbClient(
        base_url=f"https://127.0.0.1:{closed_port()}/api",
        ca_bundle=ca_file,
        retry=RetryPolicy(attempts=3, initial_wait=0, jitter=0),
    ) as client:
        logs: list[str] = []
        handler = _ListHandler(logs)
        logging.getLogger("kpb_ext").addHandler(handler)
        logging.getLogger("kpb_ext").setLevel(logging.INFO)
        try:
            with pytest.raises(ConnectionFailedError):
                client.ping()
        finally:
            logging.getLogger("kpb_ext").removeHandler(handler)
    assert [m for m in logs if m.startswith("retrying after ConnectionFailedError")] == [
        "retrying after ConnectionFailedError (attempt 1 failed), waiting 0.0 s",
        "retrying after ConnectionFailedError (attempt 2 failed), waiting 0.0 s",
    ]


class _ListHandler(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


def test_retry_policy_validation() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="must not be negative"):
        RetryPolicy(max_wait=-1)
    assert RetryPolicy.none().attempts == 1


# -- async -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_client(serve: Serve, certificate: ClientCertificate, ca_file: Path) -> None:
    server = serve(kpb)
    async with AsyncKpbClient(
        base_url=server.base_url, certificate=certificate, ca_bundle=ca_file, retry=NO_RETRY
    ) as client:
        assert await client.ping() == ["Hello", "World"]
        assert (await client.medical_certificates(CPR))[0].status.code == 2
        assert (await client.applications("070261 4074"))[0].application_status.code == 11
        with pytest.raises(InvalidCprError):
            await client.applications("12")
    assert server.count() == 3
    assert len({r.client_port for r in server.requests}) == 1


@pytest.mark.anyio
async def test_async_errors_and_retries(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    flaky = serve(failing_then_ok(2, Reply.message(502, "bad gateway")))
    refusing = serve(lambda request: Reply.message(401, "Certificate doesn't exist"))
    slow = serve(lambda request: Reply.json(["Hello", "World"], delay=1.0))
    options = {"certificate": certificate, "ca_bundle": ca_file, "retry": FAST_RETRY}
    async with AsyncKpbClient(base_url=flaky.base_url, **options) as client:  # type: ignore[arg-type]
        assert await client.ping() == ["Hello", "World"]
    assert flaky.count() == 3
    async with AsyncKpbClient(base_url=refusing.base_url, **options) as client:  # type: ignore[arg-type]
        with pytest.raises(KpbResponseError) as caught:
            await client.applications(CPR)
    assert "kpb.support@knowledgecube.net" in caught.value.hint
    assert refusing.count() == 1
    async with AsyncKpbClient(
        base_url=slow.base_url, ca_bundle=ca_file, retry=NO_RETRY, timeout=httpx.Timeout(0.2)
    ) as client:
        with pytest.raises(KpbTimeoutError):
            await client.ping()
