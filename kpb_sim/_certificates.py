"""Throwaway certificates for the simulator: a local CA, a server certificate and the
client certificates KPB's four 401 answers need, plus the registry that says which
certificate may call which service (PDF §3.1, §3.3).

Every key here is a test credential made for this directory only, so the unencrypted
PEM keys that curl and schemathesis need are written beside the encrypted forms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "CLIENT_NAMES",
    "SERVICES",
    "CertificateError",
    "CertificateSet",
    "ClientCertificateFiles",
    "create_certificates",
    "load_certificates",
    "thumbprint",
]

#: The services a certificate can be registered for, named as their routes.
SERVICES: tuple[str, ...] = ("MedicalCertificate", "Application")

REGISTRY_FILE = "registry.json"
PASSWORD_FILE = "client-password.txt"  # noqa: S105 (a file name)
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"

_CVR = "12345678"
_ORGANISATION = f"Testkommune (kpb simulator) // CVR:{_CVR}"


@dataclass(frozen=True)
class _ClientProfile:
    system_name: str
    fid: str
    services: tuple[str, ...]
    registered: bool
    expired: bool = False


# name -> how the certificate is made and registered
_CLIENTS: dict[str, _ClientProfile] = {
    "registered": _ClientProfile("KPB testsystem", "10000001", SERVICES, registered=True),
    "application-only": _ClientProfile(
        "KPB testsystem forløb", "10000002", ("Application",), registered=True
    ),
    "unregistered": _ClientProfile("KPB testsystem uregistreret", "10000003", (), False),
    # Registered for everything, so that its expiry is its only fault.
    "expired": _ClientProfile(
        "KPB testsystem udløbet", "10000004", SERVICES, registered=True, expired=True
    ),
}

#: Names of the client certificates every certificate set holds.
CLIENT_NAMES: tuple[str, ...] = tuple(_CLIENTS)


class CertificateError(Exception):
    """A certificate directory is missing, incomplete or already in use."""


@dataclass(frozen=True)
class ClientCertificateFiles:
    """One client certificate in its file forms.

    ``key`` is an unencrypted PEM key (for curl and schemathesis), ``key_encrypted`` the
    same key as password-protected PKCS#8, ``p12`` a password-protected PKCS#12 (AES),
    and ``p12_legacy`` (only for ``registered``) a PKCS#12 in the SHA1/3DES form that
    Windows certificate exports produce. ``thumbprint`` is the SHA-1 of the DER
    certificate in uppercase hex, as Windows and KPB support show it; ``services`` is
    empty for a certificate that is not in the registry.
    """

    name: str
    cert: Path
    key: Path
    key_encrypted: Path
    p12: Path
    password: str
    thumbprint: str
    services: tuple[str, ...]
    p12_legacy: Path | None = None


@dataclass(frozen=True)
class CertificateSet:
    """A directory of simulator certificates, as made by :func:`create_certificates`."""

    directory: Path
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    registry: Path
    password_file: Path
    clients: Mapping[str, ClientCertificateFiles]

    def client(self, name: str) -> ClientCertificateFiles:
        try:
            return self.clients[name]
        except KeyError:
            known = ", ".join(self.clients)
            raise KeyError(f"no client certificate {name!r}; known: {known}") from None

    def registered_services(self) -> dict[str, tuple[str, ...]]:
        """The registry: thumbprint -> services it may call."""
        return {
            thumbprint: tuple(entry["services"])
            for thumbprint, entry in _read_registry(self.registry).items()
        }


def thumbprint(der: bytes) -> str:
    """SHA-1 thumbprint of a DER certificate, uppercase hex (as Windows shows it)."""
    return hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()


def create_certificates(directory: Path | str, *, password: str | None = None) -> CertificateSet:
    """Create a fresh certificate set in ``directory`` (created if missing).

    Refuses a directory that already holds a set, so that nobody's registry is replaced
    by accident.
    """
    directory = Path(directory)
    if (directory / REGISTRY_FILE).exists():
        raise CertificateError(
            f"{directory} already holds a simulator certificate set; use it as it is "
            "or choose an empty directory"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write_set(directory, password or secrets.token_urlsafe(18))
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename not in (None, str(directory)) else ""
        raise CertificateError(
            f"cannot create a certificate set in {directory}: {exc.strerror or exc}{where}"
        ) from exc
    return load_certificates(directory)


def _write_set(directory: Path, password: str) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kpb simulator (test only)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "kpb simulator test CA"),
        ]
    )
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), now - _YEAR * 3, now + _YEAR * 10)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(directory / CA_KEY_FILE, _pem_key(ca_key))
    (directory / CA_CERT_FILE).write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        _builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]),
            ca_name,
            server_key.public_key(),
            now - _DAY,
            now + _YEAR * 5,
        )
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(_authority_key_id(ca_cert), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(directory / SERVER_KEY_FILE, _pem_key(server_key))
    (directory / SERVER_CERT_FILE).write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))

    registry: dict[str, dict[str, Any]] = {}
    encryption = serialization.BestAvailableEncryption(password.encode())
    for name, profile in _CLIENTS.items():
        # OCES function certificates are RSA.
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if profile.expired:
            not_before, not_after = now - _YEAR * 2, now - _DAY
        else:
            not_before, not_after = now - _DAY, now + _YEAR * 5
        cert = (
            _builder(_function_subject(profile), ca_name, key.public_key(), not_before, not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(key_encipherment=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
            .add_extension(_authority_key_id(ca_cert), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        (directory / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_private(directory / f"{name}-key.pem", _pem_key(key))
        _write_private(
            directory / f"{name}-key-encrypted.pem",
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            ),
        )
        friendly = profile.system_name.encode()
        _write_private(
            directory / f"{name}.p12",
            pkcs12.serialize_key_and_certificates(friendly, key, cert, [ca_cert], encryption),
        )
        if name == "registered":
            legacy = (
                serialization.PrivateFormat.PKCS12.encryption_builder()
                .kdf_rounds(2048)
                .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                .hmac_hash(hashes.SHA1())  # noqa: S303 (the legacy form on purpose)
                .build(password.encode())
            )
            _write_private(
                directory / f"{name}-legacy.p12",
                pkcs12.serialize_key_and_certificates(friendly, key, cert, [ca_cert], legacy),
            )
        if profile.registered:
            registry[thumbprint(cert.public_bytes(serialization.Encoding.DER))] = {
                "name": name,
                "services": list(profile.services),
            }

    _write_private(directory / PASSWORD_FILE, (password + "\n").encode())
    (directory / REGISTRY_FILE).write_text(
        json.dumps(registry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def load_certificates(directory: Path | str) -> CertificateSet:
    """Open a certificate set made by :func:`create_certificates` (or ``kpb sim init``)."""
    directory = Path(directory)
    if not (directory / REGISTRY_FILE).is_file():
        raise CertificateError(
            f"{directory} holds no simulator certificate set ({REGISTRY_FILE} is missing); "
            "create one with `kpb sim init DIR`"
        )
    registry = _read_registry(directory / REGISTRY_FILE)
    try:
        password = (directory / PASSWORD_FILE).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CertificateError(f"cannot read the client certificates' password: {exc}") from exc
    clients: dict[str, ClientCertificateFiles] = {}
    for name in CLIENT_NAMES:
        cert_path = directory / f"{name}.pem"
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        except (OSError, ValueError) as exc:
            raise CertificateError(f"cannot read client certificate {cert_path}: {exc}") from exc
        sha1 = thumbprint(cert.public_bytes(serialization.Encoding.DER))
        entry = registry.get(sha1)
        legacy = directory / f"{name}-legacy.p12"
        clients[name] = ClientCertificateFiles(
            name=name,
            cert=cert_path,
            key=directory / f"{name}-key.pem",
            key_encrypted=directory / f"{name}-key-encrypted.pem",
            p12=directory / f"{name}.p12",
            password=password,
            thumbprint=sha1,
            services=tuple(entry["services"]) if entry else (),
            p12_legacy=legacy if legacy.exists() else None,
        )
    certificate_set = CertificateSet(
        directory=directory,
        ca_cert=directory / CA_CERT_FILE,
        ca_key=directory / CA_KEY_FILE,
        server_cert=directory / SERVER_CERT_FILE,
        server_key=directory / SERVER_KEY_FILE,
        registry=directory / REGISTRY_FILE,
        password_file=directory / PASSWORD_FILE,
        clients=clients,
    )
    missing = [
        str(path)
        for path in (
            certificate_set.ca_cert,
            certificate_set.server_cert,
            certificate_set.server_key,
            *(p for c in clients.values() for p in (c.key, c.key_encrypted, c.p12)),
        )
        if not path.is_file()
    ]
    if missing:
        raise CertificateError(f"incomplete certificate set, missing: {', '.join(missing)}")
    return certificate_set


def issue_client_certificate(
    certificate_set: CertificateSet,
    directory: Path,
    name: str,
    *,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> tuple[Path, Path]:
    """Sign one more (unregistered) client certificate with the set's CA.

    Returns the certificate and unencrypted key paths. For checks of validity periods
    the standard set does not cover, such as a certificate that is not yet valid.
    """
    ca_key = serialization.load_pem_private_key(certificate_set.ca_key.read_bytes(), None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise CertificateError(f"{certificate_set.ca_key} is not the simulator's CA key")
    ca_cert = x509.load_pem_x509_certificate(certificate_set.ca_cert.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    profile = _ClientProfile(name, "19999999", (), registered=False)
    cert = (
        _builder(
            _function_subject(profile), ca_cert.subject, key.public_key(), not_before, not_after
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_private(key_path, _pem_key(key))
    return cert_path, key_path


_DAY = dt.timedelta(days=1)
_YEAR = dt.timedelta(days=365)


def _read_registry(path: Path) -> dict[str, dict[str, Any]]:
    try:
        registry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CertificateError(f"cannot read certificate registry {path}: {exc}") from exc
    if not isinstance(registry, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("services"), list)
        for entry in registry.values()
    ):
        raise CertificateError(f'{path} must map thumbprints to {{"name": ..., "services": [...]}}')
    # Thumbprints are compared in uppercase, whatever case the file uses.
    return {str(key).upper().replace(":", ""): value for key, value in registry.items()}


def _function_subject(profile: _ClientProfile) -> x509.Name:
    # The shape of a Danish OCES function certificate (funktionscertifikat).
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, profile.system_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"CVR:{_CVR}-FID:{profile.fid}"),
        ]
    )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def _key_usage(*, cert_sign: bool = False, key_encipherment: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _authority_key_id(ca_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _pem_key(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    # Keys and passwords are readable by their owner only, even when throwaway.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
