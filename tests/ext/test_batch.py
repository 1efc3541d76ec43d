"""Batch lookups: one result per distinct number, bounded concurrency, flat memory."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from kpb_ext import (
    AccessNotAllowedError,
    AsyncKpbClient,
    ClientCertificate,
    InvalidCprError,
    KpbClient,
    KpbUnavailableError,
    LookupResult,
    RetryPolicy,
    TransportError,
)

from . import examples
from .pki import Issued
from .servers import Reply, Request, TestServer, closed_port, kpb

pytestmark = pytest.mark.network
Serve = Callable[..., TestServer]
INPUT = ["0702614074", "070261-4074", "12", "0107529039", "0702614074", "3202614074", " 1 2 "]


@pytest.fixture
def certificate(client_cert: Issued) -> ClientCertificate:
    return ClientCertificate(client_cert.cert, client_cert.key)


def application_only(request: Request) -> Reply:
    if request.path.lower().endswith("/medicalcertificate"):
        return Reply.message(401, "Access not allowed for Certificate")
    return kpb(request)


@pytest.mark.anyio
async def test_deduplicated_with_invalid_numbers_kept(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    server = serve(kpb)
    progress: list[tuple[int, int | None]] = []
    async with AsyncKpbClient(
        base_url=server.base_url, certificate=certificate, ca_bundle=ca_file
    ) as client:
        results = [
            r async for r in client.lookup_many(INPUT, progress=lambda *p: progress.append(p))
        ]
    by_index = {r.index: r for r in results}
    assert sorted(by_index) == [0, 2, 3, 5]  # first occurrences only
    assert by_index[0].applications is not None
    assert by_index[0].ok
    assert by_index[3].label == "010752-****"
    for index in (2, 5):
        assert by_index[index].cpr is None
        assert isinstance(by_index[index].errors["cpr"], InvalidCprError)
        assert by_index[index].applications is None
    assert by_index[5].label == "320261-****"
    assert server.count() == 2
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.anyio
async def test_both_services_with_one_refused(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    server = serve(application_only)
    async with AsyncKpbClient(
        base_url=server.base_url, certificate=certificate, ca_bundle=ca_file
    ) as client:
        (result,) = [r async for r in client.lookup_many(["0702614074"], what="both")]
    assert result.medical_certificates is None
    assert result.applications is not None
    assert isinstance(result.error, AccessNotAllowedError)
    assert not result.ok
    line = json.loads(result.to_json())
    assert line["index"] == 0
    assert line["cpr"] == "070261-****"
    assert line["Applications"] == examples.applications()["Applications"]
    assert "MedicalCertificates" not in line
    error = line["errors"]["medical_certificates"]
    assert error["type"] == "AccessNotAllowedError"
    assert error["status_code"] == 401
    assert "kpb.support@knowledgecube.net" in error["hint"]
    assert repr(result) == (
        "LookupResult(index=0, cpr='070261-****', applications=1, "
        "errors={medical_certificates: AccessNotAllowedError})"
    )
    assert "0702614074" not in result.to_json() + repr(result)


@pytest.mark.anyio
async def test_concurrency_is_bounded(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def slow(request: Request) -> Reply:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.03)
        with lock:
            state["now"] -= 1
        return Reply.json({"Applications": []})

    server = serve(slow)
    async with AsyncKpbClient(
        base_url=server.base_url, certificate=certificate, ca_bundle=ca_file
    ) as client:
        results = [r async for r in client.lookup_many(examples.cpr_numbers(24), concurrency=3)]
    assert len(results) == 24
    assert all(r.applications == [] for r in results)
    assert 2 <= state["most"] <= 3
    assert server.count() == 24


@pytest.mark.anyio
async def test_flat_memory_and_streaming(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    """Input is read only as fast as results are taken, so nothing piles up."""
    server = serve(lambda request: Reply.json({"Applications": []}))
    pulled = 0

    def source() -> Iterator[str]:
        nonlocal pulled
        for number in examples.cpr_numbers(300):
            pulled += 1
            yield number

    progress: list[tuple[int, int | None]] = []
    ahead = []
    async with AsyncKpbClient(
        base_url=server.base_url, certificate=certificate, ca_bundle=ca_file
    ) as client:
        consumed = 0
        async for _ in client.lookup_many(
            source(), concurrency=4, progress=lambda *p: progress.append(p)
        ):
            consumed += 1
            ahead.append(pulled - consumed)
    assert consumed == 300
    assert max(ahead) <= 2 * 4  # in flight, plus those finished together
    assert progress[0] == (1, None)  # a generator's length is not known in advance
    assert progress[-1] == (300, 300)


@pytest.mark.anyio
async def test_stopping_early_cancels_the_rest(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    server = serve(lambda request: Reply.json({"Applications": []}, delay=0.05))
    async with AsyncKpbClient(
        base_url=server.base_url, certificate=certificate, ca_bundle=ca_file
    ) as client:
        batch = client.lookup_many(examples.cpr_numbers(100), concurrency=2)
        first = await anext(batch)
        await batch.aclose()  # type: ignore[attr-defined]
    assert isinstance(first, LookupResult)
    assert server.count() <= 4


def test_sync_lookup_many(serve: Serve, certificate: ClientCertificate, ca_file: Path) -> None:
    server = serve(application_only)
    progress: list[tuple[int, int | None]] = []
    with KpbClient(
        base_url=server.base_url,
        certificate=certificate,
        ca_bundle=ca_file,
        retry=RetryPolicy.none(),
    ) as client:
        results = list(
            client.lookup_many(iter(INPUT), what="both", progress=lambda *p: progress.append(p))
        )
    assert [r.index for r in results] == [0, 2, 3, 5]  # in input order
    assert isinstance(results[0].errors["medical_certificates"], AccessNotAllowedError)
    assert results[0].applications is not None
    assert progress == [(1, None), (2, None), (3, None), (4, 4)]
    assert server.count() == 4


@pytest.mark.anyio
async def test_arguments_are_checked_at_once(certificate: ClientCertificate) -> None:
    async with AsyncKpbClient(environment="test") as client:
        with pytest.raises(ValueError, match="what is one of"):
            client.lookup_many([], what="everything")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="at least 1"):
            client.lookup_many([], concurrency=0)
        assert [r async for r in client.lookup_many([])] == []


@pytest.mark.anyio
async def test_numbered_input_keeps_its_indexes_and_skip_counts_as_seen(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    """Pairs give each number its own index (a line number); skipped ones are not asked."""
    server = serve(kpb)
    lines = [
        (3, "0702614074"),
        (4, "0107529039"),
        (7, "070261-4074"),
        (9, "12"),
        (12, "0701614038"),
    ]
    async with AsyncKpbClient(
        base_url=server.base_url, certificate=certificate, ca_bundle=ca_file
    ) as client:
        results = [r async for r in client.lookup_many(lines, skip={3, 9})]
    assert sorted(r.index for r in results) == [4, 12]  # 7 repeats 3, which was done
    assert [r.query["cpr"] for r in server.requests] in (
        [["0107529039"], ["0701614038"]],
        [["0701614038"], ["0107529039"]],
    )


async def collect(batch: AsyncIterator[LookupResult], into: list[LookupResult]) -> None:
    async for result in batch:
        into.append(result)


@pytest.mark.anyio
async def test_a_dead_server_stops_the_batch_after_so_many_unanswered(
    certificate: ClientCertificate, ca_file: Path
) -> None:
    dead = f"https://127.0.0.1:{closed_port()}/api"
    seen: list[LookupResult] = []
    async with AsyncKpbClient(
        base_url=dead, certificate=certificate, ca_bundle=ca_file, retry=RetryPolicy.none()
    ) as client:
        batch = client.lookup_many(
            ["1234", *examples.cpr_numbers(1000)], concurrency=2, stop_after_unanswered=5
        )
        with pytest.raises(KpbUnavailableError, match=r"[5-6] numbers in a row") as stopped:
            await collect(batch, seen)
    assert 6 <= len(seen) <= 7  # the invalid number sends nothing, so it does not count
    assert isinstance(stopped.value, TransportError)
    assert "ConnectionFailedError" in str(stopped.value)
    line = json.loads(seen[-1].to_json())
    assert line["errors"]["applications"]["transient"] is True


def test_a_dead_server_stops_a_sync_batch(certificate: ClientCertificate, ca_file: Path) -> None:
    dead = f"https://127.0.0.1:{closed_port()}/api"
    seen: list[LookupResult] = []
    with KpbClient(
        base_url=dead, certificate=certificate, ca_bundle=ca_file, retry=RetryPolicy.none()
    ) as client:
        batch = client.lookup_many(examples.cpr_numbers(100), stop_after_unanswered=3)
        with pytest.raises(KpbUnavailableError, match="3 numbers in a row"):
            seen.extend(batch)  # keeps what came before the error
    assert len(seen) == 3  # each result was yielded before the batch stopped


@pytest.mark.anyio
async def test_answers_reset_the_count_of_unanswered(
    serve: Serve, certificate: ClientCertificate, ca_file: Path
) -> None:
    """Every other number gets a 503 from a gateway: KPB is up, the batch goes on."""
    count = 0

    def flaky(request: Request) -> Reply:
        nonlocal count
        count += 1
        if count % 2:
            return Reply.message(503, "Service Unavailable")
        return Reply.json({"Applications": []})

    server = serve(flaky)
    async with AsyncKpbClient(
        base_url=server.base_url,
        certificate=certificate,
        ca_bundle=ca_file,
        retry=RetryPolicy.none(),
    ) as client:
        results = [
            r
            async for r in client.lookup_many(
                examples.cpr_numbers(40), concurrency=1, stop_after_unanswered=2
            )
        ]
    assert len(results) == 40
    assert sum(not r.ok for r in results) == 20
    assert all(
        json.loads(r.to_json())["errors"]["applications"]["transient"] for r in results if not r.ok
    )
