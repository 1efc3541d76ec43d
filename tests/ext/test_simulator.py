"""The clients against the simulator: mutual TLS, the four 401s, Bilag A, drift modes."""

from __future__ import annotations

import datetime as dt

import pytest

from kpb_ext import (
    AccessNotAllowedError,
    AsyncKpbClient,
    CertificateDoesNotExistError,
    CertificateExpiredError,
    CertificateRequiredError,
    ClientCertificate,
    ExamStatus,
    InvalidBaseUrlError,
    InvalidCprError,
    InvalidResponseError,
    KpbClient,
    MedicalCertificateStatus,
    NotFoundError,
    RetryPolicy,
    application_is_active,
    application_status,
    events_in_order,
    exam_status,
    is_medical_certificate_valid,
    medical_certificate_status,
    next_exam,
)
from kpb_sim import CertificateSet, Simulator
from kpb_sim.pytest_plugin import SimulatorFactory

from . import examples

pytestmark = pytest.mark.network

BILAG_A = examples.bilag_a_cprs()


def certificate(certs: CertificateSet, name: str = "registered") -> ClientCertificate:
    files = certs.client(name)
    return ClientCertificate.from_pkcs12(files.p12, files.password)


def client(sim: Simulator, certs: CertificateSet, name: str | None = "registered") -> KpbClient:
    return KpbClient(
        base_url=sim.base_url,
        certificate=certificate(certs, name) if name else None,
        ca_bundle=certs.ca_cert,
        retry=RetryPolicy.none(),
    )


def test_every_way_of_loading_the_certificate(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    files = kpb_sim_certs.client("registered")
    assert files.p12_legacy is not None
    loaded = [
        ClientCertificate.from_pkcs12(files.p12, files.password),
        ClientCertificate.from_pkcs12(files.p12_legacy, files.password),
        ClientCertificate.from_pem(files.cert, files.key_encrypted, files.password),
        ClientCertificate.from_pem(files.cert, files.key),
    ]
    for each in loaded:
        assert each.thumbprint_sha1 == files.thumbprint
        with KpbClient(
            base_url=kpb_sim.base_url, certificate=each, ca_bundle=kpb_sim_certs.ca_cert
        ) as kpb:
            assert len(kpb.medical_certificates("070261-4074")) == 1


def test_bilag_a(kpb_sim: Simulator, kpb_sim_certs: CertificateSet) -> None:
    with client(kpb_sim, kpb_sim_certs) as kpb:
        assert kpb.ping() == ["Hello", "World"]
        certificates = {cpr: kpb.medical_certificates(cpr) for cpr in BILAG_A}
        applications = {cpr: kpb.applications(cpr) for cpr in BILAG_A}
        assert kpb.applications("0101010000") == []  # a valid number without data

    assert certificates["0707614293"] == []  # Elev 5: no medical certificate
    elev1 = certificates["0702614074"][0]
    assert medical_certificate_status(elev1) is MedicalCertificateStatus.GODKENDT
    assert is_medical_certificate_valid(elev1, dt.date(2019, 8, 1))
    assert not is_medical_certificate_valid(elev1, dt.date(2019, 8, 2))
    assert medical_certificate_status(certificates["0107529039"][0]).label == "Modtaget"

    statuses = [application_status(a) for a in applications["0702614074"]]
    assert any(not s.is_documented for s in statuses)  # "Prøve bestilt" has no code
    assert all(application_is_active(a) for a in applications["0702614074"])

    (elev3,) = applications["0701614038"]
    upcoming = next_exam(elev3, dt.datetime(2018, 5, 26, tzinfo=dt.UTC))
    assert upcoming is not None
    assert exam_status(upcoming) is ExamStatus.BESTILT
    history = events_in_order(elev3)
    assert [e.created_date for e in history] == sorted(e.created_date for e in history)


def test_the_four_certificates(kpb_sim: Simulator, kpb_sim_certs: CertificateSet) -> None:
    with client(kpb_sim, kpb_sim_certs, "application-only") as kpb:
        assert kpb.applications("0702614074")
        with pytest.raises(AccessNotAllowedError):
            kpb.medical_certificates("0702614074")
    with client(kpb_sim, kpb_sim_certs, "unregistered") as kpb:
        with pytest.raises(CertificateDoesNotExistError) as caught:
            kpb.applications("0702614074")
        assert "CVR and FID" in caught.value.hint
    with client(kpb_sim, kpb_sim_certs, None) as kpb:
        assert kpb.ping() == ["Hello", "World"]
        with pytest.raises(CertificateRequiredError):
            kpb.applications("0702614074")
    # An expired certificate is refused here, before KPB can answer "Certificate not verified".
    with pytest.raises(CertificateExpiredError):
        certificate(kpb_sim_certs, "expired")


def test_https_required_and_not_found(kpb_sim: Simulator, kpb_sim_certs: CertificateSet) -> None:
    # The simulator would answer plain HTTP with 403; the client does not even ask.
    with pytest.raises(InvalidBaseUrlError, match="plain HTTP"):
        KpbClient(base_url=kpb_sim.http_base_url, retry=RetryPolicy.none())
    with (
        KpbClient(
            base_url=kpb_sim.base_url.removesuffix("/api"),
            certificate=certificate(kpb_sim_certs),
            ca_bundle=kpb_sim_certs.ca_cert,
        ) as kpb,
        pytest.raises(NotFoundError) as caught,
    ):
        kpb.applications("0702614074")
    assert "cpr=070261-****" in caught.value.message
    assert "0702614074" not in str(caught.value)
    assert "/api" in caught.value.hint


@pytest.mark.parametrize(
    ("drift", "problem"),
    [
        ("wrong-type", "Code is string, expected an integer"),
        ("missing-field", "Status is missing"),
        ("timestamp-format", "is not a KPB timestamp"),
    ],
)
def test_breaking_drift_is_an_invalid_response(
    kpb_sim_factory: SimulatorFactory, kpb_sim_certs: CertificateSet, drift: str, problem: str
) -> None:
    sim = kpb_sim_factory(drift)
    with client(sim, kpb_sim_certs) as kpb, pytest.raises(InvalidResponseError) as caught:
        kpb.medical_certificates("0702614074")
    assert problem in str(caught.value)
    assert caught.value.status_code == 200


def test_html_errors(kpb_sim_factory: SimulatorFactory, kpb_sim_certs: CertificateSet) -> None:
    sim = kpb_sim_factory("html-errors")
    with (
        client(sim, kpb_sim_certs, "unregistered") as kpb,
        pytest.raises(InvalidResponseError) as caught,
    ):
        kpb.applications("0702614074")
    assert caught.value.status_code == 401
    assert "Certificate doesn&#x27;t exist" in caught.value.excerpt
    assert "For status 401" in caught.value.hint


def test_malformed_numbers_never_reach_kpb(
    kpb_sim_factory: SimulatorFactory, kpb_sim_certs: CertificateSet
) -> None:
    sim = kpb_sim_factory("500-on-malformed-cpr")
    with client(sim, kpb_sim_certs) as kpb:
        for bad in ("070261-407", "0702614074 0702614074", "abcdefghij"):
            with pytest.raises(InvalidCprError):
                kpb.applications(bad)
        assert kpb.applications("070261 4074")


def test_allowed_drift_is_read(
    kpb_sim_factory: SimulatorFactory, kpb_sim_certs: CertificateSet
) -> None:
    with client(kpb_sim_factory("undocumented-code"), kpb_sim_certs) as kpb:
        (elev3,) = kpb.applications("0701614038")
    for exam in elev3.application_exams:
        status = exam_status(exam)
        assert (status.value, status.label, status.is_documented) == (77, "Prøve flyttet", False)
    assert next_exam(elev3, dt.datetime(2018, 1, 1, tzinfo=dt.UTC)) is None
    with client(kpb_sim_factory("added-field"), kpb_sim_certs) as kpb:
        (certificate_,) = kpb.medical_certificates("0702614074")
    assert certificate_["CaseReference"].startswith("KPB-")


@pytest.mark.anyio
async def test_async_batch_against_the_simulator(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    async with AsyncKpbClient(
        base_url=kpb_sim.base_url,
        certificate=certificate(kpb_sim_certs, "application-only"),
        ca_bundle=kpb_sim_certs.ca_cert,
    ) as kpb:
        results = [r async for r in kpb.lookup_many([*BILAG_A, "123"], what="both", concurrency=4)]
    assert len(results) == 8
    for result in results:
        if result.cpr is None:
            assert isinstance(result.error, InvalidCprError)
        else:
            assert result.applications
            assert isinstance(result.errors["medical_certificates"], AccessNotAllowedError)
