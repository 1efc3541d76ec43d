"""Limits that hold whatever the server sends, over real TLS on loopback.

Memory is measured in a child process of its own (``rss_child.py``), whose peak
resident set size must stay under 100 MB against a gzip bomb and a 500 MB body; time is
measured around the call: a server that drips one byte every 5 seconds must fail
within the deadline plus one second.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from kpb_ext import (
    MAX_RESPONSE_BYTES,
    AsyncKpbClient,
    InvalidResponseError,
    KpbClient,
    KpbTimeoutError,
    ResponseTooLargeError,
    RetryPolicy,
    create_ssl_context,
)

from . import examples, hostile
from .servers import Reply, Request, TestServer, kpb

pytestmark = [pytest.mark.network, pytest.mark.slow]
Serve = Callable[..., TestServer]
#: The repository, where ``python -m tests.ext.rss_child`` finds its modules.
ROOT = Path(__file__).resolve().parents[2]
RSS_LIMIT_MB = 100
CPR = "0702614074"


@pytest.fixture
def client_for(ca_file: Path) -> Any:
    made: list[KpbClient] = []

    def make(server: TestServer, **options: Any) -> KpbClient:
        options.setdefault("retry", RetryPolicy.none())
        client = KpbClient(base_url=server.base_url, ca_bundle=ca_file, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def in_a_child(server: TestServer, ca_file: Path, *mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.ext.rss_child", server.base_url, str(ca_file), *mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_the_bomb_is_what_it_claims() -> None:
    body = hostile.gzip_bomb()
    assert len(body) < 4 * hostile.MiB
    opened = zlib.decompressobj(zlib.MAX_WBITS | 16)
    assert opened.decompress(body[: 64 * 1024], 10 * hostile.MiB) == bytes(10 * hostile.MiB)
    small = hostile.gzip_bomb(4)
    assert gzip.decompress(small) == bytes(4 * hostile.MiB)  # CRC and size are right


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(hostile.bomb, id="gzip-bomb-3GB"),
        pytest.param(lambda: hostile.huge(chunked=True), id="500MB-chunked"),
        pytest.param(lambda: hostile.huge(chunked=False), id="500MB-content-length"),
    ],
)
def test_a_huge_answer_costs_no_memory(
    serve: Serve, ca_file: Path, reply: Callable[[], Reply]
) -> None:
    answer = reply()
    server = serve(lambda request: answer)
    result = in_a_child(server, ca_file, "one")
    assert result["errors"] == ["ResponseTooLargeError"], result
    assert result["peak_rss_mb"] < RSS_LIMIT_MB, result


def test_a_batch_at_concurrency_4_against_500_mb_answers(serve: Serve, ca_file: Path) -> None:
    answer = hostile.huge(chunked=True)
    server = serve(lambda request: answer)
    result = in_a_child(server, ca_file, "batch", "4")
    assert result["errors"] == ["ResponseTooLargeError"] * 8, result
    assert result["peak_rss_mb"] < RSS_LIMIT_MB, result


def test_the_limit_is_on_the_decompressed_body(
    serve: Serve, client_for: Callable[..., KpbClient]
) -> None:
    fits = json.dumps({"Applications": [], "Padding": " " * 1000}).encode()
    too_big = b'{"Applications":[], "x": "' + b" " * MAX_RESPONSE_BYTES + b'"}'
    replies = {
        "/api/Application": gzip.compress(fits),
        "/api/MedicalCertificate": gzip.compress(too_big),
    }

    def handler(request: Request) -> Reply:
        return Reply(200, replies[request.path], {"Content-Encoding": "gzip"})

    client = client_for(serve(handler))
    assert client.applications(CPR) == []
    with pytest.raises(ResponseTooLargeError) as caught:
        client.medical_certificates(CPR)
    assert len(replies["/api/MedicalCertificate"]) < 10_000  # small on the wire
    assert caught.value.limit == MAX_RESPONSE_BYTES
    assert caught.value.excerpt.startswith('{"Applications":[], "x":')
    assert caught.value.headers["content-encoding"] == "gzip"


def test_deflate_in_either_form(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    body = json.dumps(examples.applications()).encode()
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    forms = iter([zlib.compress(body), raw.compress(body) + raw.flush()])
    server = serve(lambda request: Reply(200, next(forms), {"Content-Encoding": "deflate"}))
    client = client_for(server)
    for _ in range(2):
        assert client.applications(CPR)[0].application_status.code == 11


def test_an_encoding_not_asked_for(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    server = serve(lambda request: Reply(200, b"\x0b\x02\x80{}\x03", {"Content-Encoding": "br"}))
    with pytest.raises(InvalidResponseError, match="Content-Encoding br"):
        client_for(server).applications(CPR)
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


# -- one deadline for the whole request ----------------------------------------------


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_dripping_server_fails_within_the_deadline(
    serve: Serve, client_for: Callable[..., KpbClient], phase: str
) -> None:
    # One byte every 5 s: each read gets its byte long before a 6 s read timeout.
    server = serve(lambda request: hostile.drip(5.0, phase=phase))
    client = client_for(server, timeout=6.0)
    started = time.monotonic()
    with pytest.raises(KpbTimeoutError, match="deadline"):
        client.applications(CPR)
    assert time.monotonic() - started < 6.0 + 1.0


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_dripping_server_fails_within_the_deadline_async(
    serve: Serve, ca_file: Path, phase: str
) -> None:
    server = serve(lambda request: hostile.drip(5.0, phase=phase))

    async def lookup() -> None:
        async with AsyncKpbClient(
            base_url=server.base_url, ca_bundle=ca_file, retry=RetryPolicy.none(), timeout=6.0
        ) as kpb:
            await kpb.applications(CPR)

    started = time.monotonic()
    with pytest.raises(KpbTimeoutError, match="deadline"):
        asyncio.run(lookup())
    assert time.monotonic() - started < 6.0 + 1.0


def test_retries_stay_within_one_budget(serve: Serve, client_for: Callable[..., KpbClient]) -> None:
    # Every attempt would take its whole 2 s; the budget of 3 s ends the call.
    server = serve(lambda request: hostile.drip(0.5, phase="headers"))
    retry = RetryPolicy(attempts=10, initial_wait=0, jitter=0, total=3.0)
    client = client_for(server, timeout=2.0, retry=retry)
    started = time.monotonic()
    with pytest.raises(KpbTimeoutError):
        client.applications(CPR)
    assert time.monotonic() - started < 3.0 + 1.0
    assert server.count() == 2


# -- the transport seam ---------------------------------------------------------------


def test_a_transport_or_a_client_of_ones_own(serve: Serve, ca_file: Path) -> None:
    transport = httpx.HTTPTransport(verify=create_ssl_context(ca_bundle=ca_file))
    server = serve(kpb)
    with KpbClient(base_url=server.base_url, transport=transport, retry=RetryPolicy.none()) as c:
        assert c.ping() == ["Hello", "World"]
    http = httpx.Client(verify=create_ssl_context(ca_bundle=ca_file), headers={"X-Via": "own"})
    with http, KpbClient(base_url=server.base_url, http_client=http) as c:
        assert c.ping() == ["Hello", "World"]
        assert not http.is_closed
    assert [r.headers.get("x-via") for r in server.requests] == [None, "own"]
    with pytest.raises(ValueError, match="configure TLS there"):
        KpbClient(base_url=server.base_url, transport=transport, ca_bundle=ca_file)
    with pytest.raises(ValueError, match="not both"):
        KpbClient(base_url=server.base_url, transport=transport, http_client=http)
