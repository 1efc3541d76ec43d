"""Loading the function certificate, its checks, and a TLS context without a key on disk."""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import ssl
import sys
import warnings
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from kpb_ext import (
    CertificateExpiredError,
    CertificateExpiryWarning,
    CertificateLoadError,
    CertificatePasswordError,
    ClientCertificate,
    create_ssl_context,
    read_password,
)

from .pki import CA, Issued

DATA = Path(__file__).parent / "data"
PASSWORD = b"correct horse battery staple"
NOW = dt.datetime.now(dt.UTC)


def sha1(issued: Issued) -> str:
    return issued.cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303


# -- PKCS#12 -----------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["aes-256", "3des"])
def test_pkcs12(tmp_path: Path, ca: CA, client_cert: Issued, legacy: bool) -> None:
    path = tmp_path / "function.p12"
    path.write_bytes(client_cert.p12(PASSWORD, legacy=legacy, chain=[ca.cert]))
    certificate = ClientCertificate.from_pkcs12(path, PASSWORD.decode())
    assert certificate.thumbprint_sha1 == sha1(client_cert)
    assert certificate.chain == (ca.cert,)
    assert certificate.cvr == "12345678"
    assert certificate.fid == "87654321"


def test_legacy_windows_export_with_rc2() -> None:
    # Made by: openssl pkcs12 -export -legacy -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-RC2-40
    # (the format of Windows exports before 2019); its key exists nowhere else.
    certificate = ClientCertificate.from_pkcs12(DATA / "legacy-3des-rc2.p12", b"kpb-legacy")
    assert certificate.thumbprint_sha1 == "727A672E2F22FBCE0D613AB85F2C0F795FB331BB"
    assert certificate.subject == "2.5.4.5=CVR:12345678-FID:11112222,CN=kpb legacy PKCS12 test"
    assert (certificate.cvr, certificate.fid) == ("12345678", "11112222")


def test_pkcs12_wrong_or_missing_password(tmp_path: Path, client_cert: Issued) -> None:
    path = tmp_path / "function.pfx"
    path.write_bytes(client_cert.p12(PASSWORD))
    with pytest.raises(CertificatePasswordError, match="password is wrong"):
        ClientCertificate.from_pkcs12(path, "wrong")
    with pytest.raises(CertificatePasswordError, match="none was given"):
        ClientCertificate.from_pkcs12(path)


def test_pkcs12_without_password(tmp_path: Path, client_cert: Issued) -> None:
    path = tmp_path / "open.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"x", client_cert.key, client_cert.cert, None, serialization.NoEncryption()
        )
    )
    assert ClientCertificate.from_pkcs12(path).thumbprint_sha1 == sha1(client_cert)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"-----BEGIN CERTIFICATE-----\n...", "is a PEM file, not PKCS#12"),
        (b"just some text", "is not a PKCS#12 file"),
        (b"\x30\x03\x02\x01\x03", "is not a readable PKCS#12 file"),
    ],
)
def test_pkcs12_not_readable(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.p12"
    path.write_bytes(content)
    with pytest.raises(CertificateLoadError, match=message):
        ClientCertificate.from_pkcs12(path, "x")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CertificateLoadError, match="cannot read the PKCS#12 file"):
        ClientCertificate.from_pkcs12(tmp_path / "nowhere.p12", "x")


# -- PEM ---------------------------------------------------------------------------------


def test_pem_plain_key(tmp_path: Path, client_cert: Issued) -> None:
    cert_path, key_path = client_cert.write_pem(tmp_path, "plain")
    assert ClientCertificate.from_pem(cert_path, key_path).thumbprint_sha1 == sha1(client_cert)
    # A password given for a plain key does no harm.
    assert ClientCertificate.from_pem(cert_path, key_path, "unused").certificate == client_cert.cert


@pytest.mark.parametrize("traditional", [False, True], ids=["pkcs8", "openssl-traditional"])
def test_pem_encrypted_key(tmp_path: Path, client_cert: Issued, traditional: bool) -> None:
    cert_path = tmp_path / "c.pem"
    key_path = tmp_path / "k.pem"
    cert_path.write_bytes(client_cert.cert_pem)
    key_path.write_bytes(client_cert.key_pem(PASSWORD, traditional=traditional))
    assert b"ENCRYPTED" in key_path.read_bytes()
    loaded = ClientCertificate.from_pem(cert_path, key_path, PASSWORD)
    assert loaded.thumbprint_sha1 == sha1(client_cert)
    with pytest.raises(CertificatePasswordError, match="password is wrong"):
        ClientCertificate.from_pem(cert_path, key_path, b"wrong")
    with pytest.raises(CertificatePasswordError, match="no password was given"):
        ClientCertificate.from_pem(cert_path, key_path)


def test_pem_key_and_chain_in_one_file_any_order(
    tmp_path: Path, ca: CA, client_cert: Issued
) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(ca.cert_pem + client_cert.key_pem(PASSWORD) + client_cert.cert_pem)
    loaded = ClientCertificate.load(bundle, password=PASSWORD)
    assert loaded.certificate == client_cert.cert
    assert loaded.chain == (ca.cert,)


def test_der_certificate(tmp_path: Path, client_cert: Issued) -> None:
    cert_path = tmp_path / "c.cer"
    cert_path.write_bytes(client_cert.cert.public_bytes(serialization.Encoding.DER))
    key_path = tmp_path / "k.pem"
    key_path.write_bytes(client_cert.key_pem())
    assert ClientCertificate.from_pem(cert_path, key_path).certificate == client_cert.cert


def test_key_does_not_match_certificate(tmp_path: Path, ca: CA, client_cert: Issued) -> None:
    other = ca.issue("someone else")
    cert_path = tmp_path / "c.pem"
    key_path = tmp_path / "k.pem"
    cert_path.write_bytes(client_cert.cert_pem)
    key_path.write_bytes(other.key_pem())
    with pytest.raises(CertificateLoadError, match="does not belong to the certificate"):
        ClientCertificate.from_pem(cert_path, key_path)
    with pytest.raises(CertificateLoadError, match="does not belong"):
        ClientCertificate(client_cert.cert, other.key)


@pytest.mark.parametrize(
    ("cert", "key", "message"),
    [
        (b"nothing", b"", "is not a readable certificate"),
        (b"-----BEGIN PUBLIC KEY-----\n", b"", "holds no PEM certificate"),
        (None, b"no key here", "holds no PEM private key"),
        (None, b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "no readable"),
    ],
)
def test_pem_not_readable(
    tmp_path: Path, client_cert: Issued, cert: bytes | None, key: bytes, message: str
) -> None:
    cert_path = tmp_path / "c.pem"
    key_path = tmp_path / "k.pem"
    cert_path.write_bytes(cert if cert is not None else client_cert.cert_pem)
    key_path.write_bytes(key)
    with pytest.raises(CertificateLoadError, match=message):
        ClientCertificate.from_pem(cert_path, key_path)


# -- validity ----------------------------------------------------------------------------


def test_expired(tmp_path: Path, ca: CA) -> None:
    old = ca.issue(
        "expired", not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=1)
    )
    path = tmp_path / "old.p12"
    path.write_bytes(old.p12(PASSWORD))
    with pytest.raises(CertificateExpiredError, match="expired on") as caught:
        ClientCertificate.from_pkcs12(path, PASSWORD)
    assert sha1(old) in str(caught.value)
    assert "kpb.support@knowledgecube.net" in caught.value.hint


def test_not_yet_valid(ca: CA) -> None:
    future = ca.issue("future", not_before=NOW + dt.timedelta(days=2))
    with pytest.raises(CertificateLoadError, match=r"not valid before .* clock"):
        ClientCertificate(future.cert, future.key)


def test_expiring_within_30_days_warns(
    tmp_path: Path, ca: CA, caplog: pytest.LogCaptureFixture
) -> None:
    soon = ca.issue("soon", not_after=NOW + dt.timedelta(days=20, hours=1))
    path = tmp_path / "soon.p12"
    path.write_bytes(soon.p12(PASSWORD))
    with (
        caplog.at_level(logging.WARNING, logger="kpb_ext"),
        pytest.warns(CertificateExpiryWarning, match="in 20 days") as record,
    ):
        certificate = ClientCertificate.from_pkcs12(path, PASSWORD)
    assert certificate.days_left == 20
    assert record[0].filename == __file__  # points at the caller
    assert any("in 20 days" in r.getMessage() for r in caplog.records if r.name == "kpb_ext")


def test_valid_for_long_does_not_warn(client_cert: Issued) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        certificate = ClientCertificate(client_cert.cert, client_cert.key)
    assert certificate.days_left >= 363


# -- what support needs, and what must not show ------------------------------------------


def test_facts_for_support(client_cert: Issued) -> None:
    certificate = ClientCertificate(client_cert.cert, client_cert.key)
    assert certificate.thumbprint_sha1 == sha1(client_cert)
    assert len(certificate.thumbprint_sha1) == 40
    assert (
        certificate.thumbprint_sha256 == client_cert.cert.fingerprint(hashes.SHA256()).hex().upper()
    )
    assert certificate.subject.startswith("2.5.4.5=CVR:12345678-FID:87654321,CN=kpb test client")
    assert certificate.issuer == "CN=kpb test CA"
    assert certificate.not_valid_after.tzinfo == dt.UTC
    assert certificate.not_valid_before < NOW < certificate.not_valid_after
    assert int(certificate.serial_number, 16) == client_cert.cert.serial_number
    cer = certificate.public_certificate()
    assert cer.startswith(b"-----BEGIN CERTIFICATE-----")
    assert b"PRIVATE" not in cer
    assert certificate.public_certificate(serialization.Encoding.DER)[0] == 0x30


def test_no_key_in_repr_and_no_pickling(client_cert: Issued) -> None:
    certificate = ClientCertificate(client_cert.cert, client_cert.key)
    assert certificate.thumbprint_sha1 in repr(certificate)
    assert "PRIVATE" not in repr(certificate)
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(certificate)


# -- passwords ---------------------------------------------------------------------------


def test_read_password_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPB_CERT_PASSWORD", raising=False)
    monkeypatch.delenv("KPB_CERT_PASSWORD_FILE", raising=False)
    assert read_password() is None
    secret = tmp_path / "secret"
    secret.write_bytes("hemmeligt ø\n".encode())
    monkeypatch.setenv("KPB_CERT_PASSWORD_FILE", str(secret))
    assert read_password() == "hemmeligt ø".encode()
    monkeypatch.setenv("KPB_CERT_PASSWORD", "from-env")
    assert read_password() == b"from-env"
    other = tmp_path / "other"
    other.write_bytes(b"from-file\r\n")
    assert read_password(file=other) == b"from-file"
    assert read_password("given") == b"given"
    with pytest.raises(CertificatePasswordError, match="cannot read the password file"):
        read_password(file=tmp_path / "missing")


# -- TLS context -------------------------------------------------------------------------


def test_context_settings(ca_file: Path) -> None:
    context = create_ssl_context(ca_bundle=ca_file)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.check_hostname is True
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert any(c["subject"] == ((("commonName", "kpb test CA"),),) for c in context.get_ca_certs())


def test_bad_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(CertificateLoadError, match="cannot use the CA bundle"):
        create_ssl_context(ca_bundle=tmp_path / "missing.pem")


class _FileWatch:
    """Records, by audit hooks, every file opened for writing and its content at removal."""

    active: ClassVar[bool] = False
    busy: ClassVar[bool] = False
    opened: ClassVar[list[str]] = []
    removed: ClassVar[dict[str, tuple[bytes, int]]] = {}

    @classmethod
    def hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if not cls.active or cls.busy:
            return
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
            if writing and isinstance(path, str | bytes | os.PathLike):
                cls.opened.append(os.fsdecode(path))
        elif event == "os.remove":
            cls.busy = True
            try:
                path = os.fsdecode(args[0])
                cls.removed[path] = (Path(path).read_bytes(), os.stat(path).st_mode)
            finally:
                cls.busy = False


_hook_installed = False


def test_ssl_context_never_writes_an_unencrypted_key(client_cert: Issued) -> None:
    global _hook_installed
    if not _hook_installed:  # audit hooks cannot be removed; this one is inert when inactive
        sys.addaudithook(_FileWatch.hook)
        _hook_installed = True
    certificate = ClientCertificate(client_cert.cert, client_cert.key)
    _FileWatch.opened, _FileWatch.removed = [], {}
    _FileWatch.active = True
    try:
        context = certificate.ssl_context()
    finally:
        _FileWatch.active = False

    assert _FileWatch.opened, "the watch saw no file written: it does not work"
    assert set(_FileWatch.opened) == set(_FileWatch.removed)
    plain_der = client_cert.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for path, (content, mode) in _FileWatch.removed.items():
        assert not Path(path).exists()
        assert mode & 0o077 == 0, oct(mode)
        assert not Path(path).parent.exists()
        assert b"BEGIN PRIVATE KEY" not in content
        assert b"BEGIN EC PRIVATE KEY" not in content
        assert b"BEGIN RSA PRIVATE KEY" not in content
        assert plain_der not in content
        assert b"BEGIN ENCRYPTED PRIVATE KEY" in content
        # Useless without the one-time password, which was never written.
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(content, None)
        # A wrong password decrypts to noise: OpenSSL says "bad decrypt" or, now and
        # then, that the noise is no key at all. Either way there is no key.
        with pytest.raises(ValueError, match=r"(?i)decrypt|password|deserialize"):
            serialization.load_pem_private_key(content, PASSWORD)
    assert isinstance(context, ssl.SSLContext)
