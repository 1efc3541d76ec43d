"""The simulator's certificate set: what `kpb sim init` writes and how it is read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kpb_sim import (
    CLIENT_NAMES,
    SERVICES,
    CertificateError,
    CertificateSet,
    create_certificates,
    load_certificates,
)


def _oid(dotted: str) -> bytes:
    """DER encoding of an object identifier, to look for it inside a PKCS#12 file."""
    first, second, *rest = (int(part) for part in dotted.split("."))
    body = bytearray([40 * first + second])
    for number in rest:
        chunk = [number & 0x7F]
        while number := number >> 7:
            chunk.append(0x80 | (number & 0x7F))
        body += bytes(reversed(chunk))
    return bytes([0x06, len(body)]) + bytes(body)


PBES2 = _oid("1.2.840.113549.1.5.13")
AES_256_CBC = _oid("2.16.840.1.101.3.4.1.42")
PBE_SHA1_3DES = _oid("1.2.840.113549.1.12.1.3")


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_oid_encoding_matches_a_known_value() -> None:
    # rsaEncryption, as every DER RSA key carries it
    assert _oid("1.2.840.113549.1.1.1") == bytes.fromhex("06092a864886f70d010101")


def test_the_set_holds_every_client_with_its_files(kpb_sim_certs: CertificateSet) -> None:
    assert set(kpb_sim_certs.clients) == set(CLIENT_NAMES)
    assert set(CLIENT_NAMES) == {"registered", "application-only", "unregistered", "expired"}
    for client in kpb_sim_certs.clients.values():
        for path in (client.cert, client.key, client.key_encrypted, client.p12):
            assert path.is_file(), path
            assert path.parent == kpb_sim_certs.directory
        assert client.cert.name == f"{client.name}.pem"
        assert client.key.name == f"{client.name}-key.pem"
        assert client.key_encrypted.name == f"{client.name}-key-encrypted.pem"
        assert client.p12.name == f"{client.name}.p12"
    assert kpb_sim_certs.client("registered").p12_legacy == (
        kpb_sim_certs.directory / "registered-legacy.p12"
    )
    assert kpb_sim_certs.client("expired").p12_legacy is None
    with pytest.raises(KeyError, match="registered"):
        kpb_sim_certs.client("nobody")


def test_private_files_are_readable_by_their_owner_only(kpb_sim_certs: CertificateSet) -> None:
    private = [kpb_sim_certs.ca_key, kpb_sim_certs.server_key, kpb_sim_certs.password_file]
    for client in kpb_sim_certs.clients.values():
        private += [client.key, client.key_encrypted, client.p12]
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_registry_maps_uppercase_sha1_thumbprints_to_services(
    kpb_sim_certs: CertificateSet,
) -> None:
    registry = json.loads(kpb_sim_certs.registry.read_text(encoding="utf-8"))
    expected = {
        "registered": list(SERVICES),
        "application-only": ["Application"],
        "expired": list(SERVICES),
    }
    by_name = {entry["name"]: (print_, entry["services"]) for print_, entry in registry.items()}
    assert set(by_name) == set(expected)
    for name, (print_, services) in by_name.items():
        client = kpb_sim_certs.client(name)
        der = _cert(client.cert).public_bytes(serialization.Encoding.DER)
        assert print_ == hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
        assert print_ == client.thumbprint
        assert services == expected[name]
        assert list(client.services) == expected[name]
    unregistered = kpb_sim_certs.client("unregistered")
    assert unregistered.thumbprint not in registry
    assert unregistered.services == ()
    assert len(unregistered.thumbprint) == 40


def test_client_certificates_look_like_function_certificates(
    kpb_sim_certs: CertificateSet,
) -> None:
    ca = _cert(kpb_sim_certs.ca_cert)
    fids = set()
    for client in kpb_sim_certs.clients.values():
        cert = _cert(client.cert)
        subject = cert.subject
        assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "DK"
        serial = str(subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value)
        assert serial.startswith("CVR:12345678-FID:")
        fids.add(serial)
        assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        assert "CVR:12345678" in str(
            subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
        )
        assert isinstance(cert.public_key(), rsa.RSAPublicKey)
        assert cert.public_key().key_size == 2048
        assert cert.issuer == ca.subject
        cert.verify_directly_issued_by(ca)
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    assert len(fids) == len(CLIENT_NAMES)


def test_validity_periods(kpb_sim_certs: CertificateSet) -> None:
    now = dt.datetime.now(dt.UTC)
    expired = _cert(kpb_sim_certs.client("expired").cert)
    assert expired.not_valid_after_utc < now
    for name in ("registered", "application-only", "unregistered"):
        cert = _cert(kpb_sim_certs.client(name).cert)
        assert cert.not_valid_before_utc < now < cert.not_valid_after_utc
        assert cert.not_valid_after_utc > now + dt.timedelta(days=365)


def test_server_certificate_names_localhost_and_loopback(kpb_sim_certs: CertificateSet) -> None:
    cert = _cert(kpb_sim_certs.server_cert)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    cert.verify_directly_issued_by(_cert(kpb_sim_certs.ca_cert))


def test_keys_and_pkcs12_open_with_the_password_only(kpb_sim_certs: CertificateSet) -> None:
    password = kpb_sim_certs.password_file.read_text(encoding="utf-8").strip()
    assert len(password) >= 16
    for client in kpb_sim_certs.clients.values():
        assert client.password == password
        cert = _cert(client.cert)
        plain = serialization.load_pem_private_key(client.key.read_bytes(), None)
        assert plain.public_key() == cert.public_key()
        encrypted = client.key_encrypted.read_bytes()
        assert b"ENCRYPTED PRIVATE KEY" in encrypted
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(encrypted, None)
        key = serialization.load_pem_private_key(encrypted, password.encode())
        assert key.public_key() == cert.public_key()
        p12_files = [client.p12] + ([client.p12_legacy] if client.p12_legacy else [])
        for p12 in p12_files:
            loaded = pkcs12.load_pkcs12(p12.read_bytes(), password.encode())
            assert loaded.cert is not None
            assert loaded.cert.certificate == cert
            assert [c.certificate for c in loaded.additional_certs] == [
                _cert(kpb_sim_certs.ca_cert)
            ]
            with pytest.raises(ValueError, match=r"(?i)password"):
                pkcs12.load_pkcs12(p12.read_bytes(), b"wrong password")


def test_pkcs12_encryption_modern_and_legacy(kpb_sim_certs: CertificateSet) -> None:
    registered = kpb_sim_certs.client("registered")
    modern = registered.p12.read_bytes()
    assert PBES2 in modern
    assert AES_256_CBC in modern
    assert PBE_SHA1_3DES not in modern
    assert registered.p12_legacy is not None
    legacy = registered.p12_legacy.read_bytes()
    assert PBE_SHA1_3DES in legacy
    assert PBES2 not in legacy


def test_load_reads_back_what_create_made(kpb_sim_certs: CertificateSet) -> None:
    assert load_certificates(kpb_sim_certs.directory) == kpb_sim_certs
    assert kpb_sim_certs.registered_services() == {
        c.thumbprint: c.services for c in kpb_sim_certs.clients.values() if c.services
    }


def test_create_refuses_a_directory_that_holds_a_set(kpb_sim_certs: CertificateSet) -> None:
    before = kpb_sim_certs.registry.read_bytes()
    with pytest.raises(CertificateError, match="already holds"):
        create_certificates(kpb_sim_certs.directory)
    assert kpb_sim_certs.registry.read_bytes() == before


def test_load_explains_a_missing_or_incomplete_set(tmp_path: Path) -> None:
    with pytest.raises(CertificateError, match="kpb sim init"):
        load_certificates(tmp_path / "nowhere")
    certs = create_certificates(tmp_path / "set", password="a fixed test password")
    assert certs.client("registered").password == "a fixed test password"
    certs.client("expired").p12.unlink()
    with pytest.raises(CertificateError, match=r"expired\.p12"):
        load_certificates(certs.directory)
    certs.password_file.rename(certs.directory / "elsewhere.txt")
    with pytest.raises(CertificateError, match="password"):
        load_certificates(certs.directory)
    (certs.directory / "elsewhere.txt").rename(certs.password_file)
    certs.registry.write_text('{"ABC": "not an entry"}', encoding="utf-8")
    with pytest.raises(CertificateError, match="must map thumbprints"):
        load_certificates(certs.directory)
