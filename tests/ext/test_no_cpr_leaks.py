"""A whole lookup flow with every logger at DEBUG: no test CPR number shows anywhere."""

from __future__ import annotations

import io
import logging
import re
import traceback
from collections.abc import Iterator

import anyio
import pytest

from kpb_ext import (
    AsyncKpbClient,
    CertificateDoesNotExistError,
    ClientCertificate,
    InvalidCprError,
    InvalidResponseError,
    KpbClient,
    KpbError,
    NotFoundError,
    RetryPolicy,
)
from kpb_sim import CertificateSet, Simulator
from kpb_sim.pytest_plugin import SimulatorFactory

from . import examples

pytestmark = pytest.mark.network

BILAG_A = examples.bilag_a_cprs()
FORMS = [form for n in BILAG_A for form in (n, f"{n[:6]}-{n[6:]}", f"{n[:6]} {n[6:]}")]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.stream = io.StringIO()
        self.setFormatter(
            logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s", validate=True)
        )

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.stream.write(self.format(record) + "\n")


@pytest.fixture
def debug_everything() -> Iterator[_Capture]:
    capture = _Capture()
    root = logging.getLogger()
    saved = (
        root.level,
        {
            name: logger.level
            for name, logger in logging.root.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)
        },
    )
    root.setLevel(logging.DEBUG)
    for name in saved[1]:
        logging.getLogger(name).setLevel(logging.NOTSET)  # every logger inherits DEBUG
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)


def _evidence(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


def test_no_cpr_number_leaks(
    debug_everything: _Capture,
    kpb_sim: Simulator,
    kpb_sim_certs: CertificateSet,
    kpb_sim_factory: SimulatorFactory,
    capfd: pytest.CaptureFixture[str],
) -> None:
    seen: list[str] = []  # every text the flow produced besides the logs

    def certificate(name: str) -> ClientCertificate:
        files = kpb_sim_certs.client(name)
        return ClientCertificate.from_pkcs12(files.p12, files.password)

    def client(base_url: str, name: str = "registered") -> KpbClient:
        return KpbClient(
            base_url=base_url,
            certificate=certificate(name),
            ca_bundle=kpb_sim_certs.ca_cert,
            retry=RetryPolicy.none(),
        )

    with client(kpb_sim.base_url) as kpb:
        seen.append(repr(kpb))
        assert kpb.ping() == ["Hello", "World"]
        for number in BILAG_A:
            for form in (number, f"{number[:6]}-{number[6:]}"):
                seen.append(repr(kpb.medical_certificates(form)))
                seen.append(repr(kpb.applications(form)))
        for typo in ("0702614o74", "07026140741", "070261-407"):
            with pytest.raises(InvalidCprError) as caught:
                kpb.applications(typo)
            seen += _evidence(caught.value)

    with (
        client(kpb_sim.base_url, "unregistered") as kpb,
        pytest.raises(CertificateDoesNotExistError) as refused,
    ):
        kpb.applications(BILAG_A[0])
    seen += _evidence(refused.value)

    wrong_url = kpb_sim.base_url.removesuffix("/api")
    with client(wrong_url) as kpb, pytest.raises(NotFoundError) as not_found:
        kpb.medical_certificates(BILAG_A[1])
    assert "cpr=010752-****" in not_found.value.message  # the URI is quoted, masked
    seen += _evidence(not_found.value)

    html = kpb_sim_factory("html-errors").base_url.removesuffix("/api")
    with client(html) as kpb, pytest.raises(InvalidResponseError) as page:
        kpb.applications(BILAG_A[2])
    assert "No HTTP resource was found" in page.value.excerpt
    seen += _evidence(page.value)

    async def batch() -> None:
        async with AsyncKpbClient(
            base_url=kpb_sim.base_url,
            certificate=certificate("registered"),
            ca_bundle=kpb_sim_certs.ca_cert,
        ) as kpb:
            inputs = [*BILAG_A, "0702614o74", "07026140741", BILAG_A[0]]
            async for result in kpb.lookup_many(inputs, what="both", concurrency=3):
                seen.append(repr(result))
                seen.append(result.to_json())
                seen.extend(text for e in result.errors.values() for text in _evidence(e))

    anyio.run(batch)

    captured = capfd.readouterr()
    logs = debug_everything.stream.getvalue()
    names = {r.name for r in debug_everything.records}
    # The capture worked: httpx logged each URL (masked), httpcore its DEBUG trace.
    assert "httpx" in names
    assert any(n.startswith("httpcore.") for n in names)
    assert re.search(r"HTTP Request: GET https://\S+/Application\?cpr=070261-\*\*\*\*", logs)
    assert len(seen) > 40

    texts = {
        "log output": logs,
        "log messages": "\n".join(r.getMessage() for r in debug_everything.records),
        "stdout": captured.out,
        "stderr": captured.err,
        "messages, reprs and tracebacks": "\n".join(seen),
    }
    for where, text in texts.items():
        for form in FORMS:
            assert form not in text, f"{form[:6]}-**** appears in the {where}"


def test_an_error_logged_with_its_traceback_is_masked(debug_everything: _Capture) -> None:
    """Users log our errors with logger.exception; the filter masks that output too."""
    KpbClient(environment="test").close()  # installs the filter
    try:
        raise ValueError(f"lookup of {BILAG_A[0]} failed")
    except ValueError:
        logging.getLogger("kpb_ext").exception("batch step failed for %s", BILAG_A[1])
    logs = debug_everything.stream.getvalue()
    assert "lookup of 070261-**** failed" in logs
    assert "batch step failed for 010752-****" in logs
    assert not any(form in logs for form in FORMS)
    assert issubclass(InvalidCprError, KpbError)
