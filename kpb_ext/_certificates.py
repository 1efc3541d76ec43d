"""The client certificate: loading, checking, and a TLS context that presents it.

KPB authenticates callers by a KOMBIT function certificate (funktionscertifikat) on the
TLS connection (PDF §3, §3.1). It usually arrives as a password-protected PKCS#12 file
(.p12/.pfx); PEM files with an encrypted or plain key work too.

The unencrypted private key never goes to disk. Python's :mod:`ssl` reads a client
certificate only from files (``SSLContext.load_cert_chain`` takes paths), so
:meth:`ClientCertificate.ssl_context` writes the key *re-encrypted* under a random
one-time password, which exists only in memory, to a new file in a private temporary
directory (mode 0700, file 0600), has OpenSSL read it with that password, and deletes it
at once. Whatever happens to the file, it is useless without the password.

Passwords come from an argument, an environment variable, or a file
(:func:`read_password`), never from a command-line argument, which other users of the
machine can see.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import secrets
import ssl
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Final, NoReturn

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ._exceptions import (
    CertificateExpiredError,
    CertificateLoadError,
    CertificatePasswordError,
)
from ._facts import SUPPORT_EMAIL
from ._redact import logger

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "CertificateExpiryWarning",
    "ClientCertificate",
    "create_ssl_context",
    "read_password",
]

#: A certificate that expires within this many days gives a :class:`CertificateExpiryWarning`.
EXPIRY_WARNING_DAYS: Final = 30

PathLike = str | os.PathLike[str]
Password = str | bytes

_PEM_KEY = re.compile(
    rb"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----.+?-----END \1PRIVATE KEY-----",
    re.DOTALL,
)


_CA_BUNDLE_HINT: Final = (
    "Give as CA bundle (--ca-bundle, ca_bundle) a readable PEM file of the CA certificates "
    "that issued the server's certificate (-----BEGIN CERTIFICATE----- blocks), such as the "
    "simulator's ca.pem. KPB's own environments need none: the system's trust store is used."
)


class CertificateExpiryWarning(UserWarning):
    """The client certificate expires soon: renew it and register the new one."""


class ClientCertificate:
    """A function certificate with its private key, ready to present to KPB.

    Load it with :meth:`from_pkcs12`, :meth:`from_pem` or :meth:`load`. Loading checks
    that the key belongs to the certificate and that the certificate is valid now; it
    warns (:class:`CertificateExpiryWarning`) when fewer than 30 days are left. The key
    is kept in memory only and is not part of ``repr()``; the object cannot be pickled.
    """

    __slots__ = ("_key", "certificate", "chain")

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    _key: PrivateKeyTypes

    def __init__(
        self,
        certificate: x509.Certificate,
        private_key: PrivateKeyTypes,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        """Check *private_key* against *certificate* and the validity period."""
        if _public_der(certificate) != _public_der(private_key):
            raise CertificateLoadError(
                f"the private key does not belong to the certificate {_describe(certificate)}"
            )
        self.certificate = certificate
        self._key = private_key
        self.chain = tuple(chain)
        self._check_validity()

    # -- loading -------------------------------------------------------------------------

    @classmethod
    def from_pkcs12(cls, path: PathLike, password: Password | None = None) -> ClientCertificate:
        """Load a PKCS#12 bundle (.p12/.pfx), AES or legacy 3DES/RC2 encrypted."""
        data = _read(path, "PKCS#12 file")
        if data.lstrip().startswith(b"-----BEGIN"):
            raise CertificateLoadError(f"{_name(path)} is a PEM file, not PKCS#12; load it as PEM")
        if not data.startswith(b"\x30"):  # a DER SEQUENCE, as every PFX is
            raise CertificateLoadError(f"{_name(path)} is not a PKCS#12 file")
        attempts = [_encode(password)] if password is not None else [None, b""]
        for attempt in attempts:
            try:
                key, cert, extra = pkcs12.load_key_and_certificates(data, attempt)
                break
            except ValueError as exc:
                if "deserialize" in str(exc):
                    raise CertificateLoadError(
                        f"{_name(path)} is not a readable PKCS#12 file"
                    ) from None
        else:
            if password is None:
                raise CertificatePasswordError(
                    f"{_name(path)} is protected by a password, and none was given"
                )
            raise CertificatePasswordError(
                f"could not open {_name(path)}: the password is wrong (or the file is damaged)"
            )
        if key is None:
            raise CertificateLoadError(f"{_name(path)} holds no private key")
        if cert is None and not extra:
            raise CertificateLoadError(f"{_name(path)} holds no certificate")
        return cls._from_parts(key, [c for c in (cert, *extra) if c is not None], path, path)

    @classmethod
    def from_pem(
        cls,
        cert_path: PathLike,
        key_path: PathLike | None = None,
        password: Password | None = None,
    ) -> ClientCertificate:
        """Load a PEM (or DER) certificate, with its chain, and a PEM private key.

        Without *key_path*, the key is looked for in *cert_path*. The key may be
        encrypted (PKCS#8 ``ENCRYPTED PRIVATE KEY`` or traditional OpenSSL format).
        """
        cert_data = _read(cert_path, "certificate file")
        certificates = _load_certificates(cert_data, cert_path)
        key_data = cert_data if key_path is None else _read(key_path, "key file")
        key_source = cert_path if key_path is None else key_path
        key = _load_pem_key(key_data, key_source, password)
        return cls._from_parts(key, certificates, key_source, cert_path)

    @classmethod
    def load(
        cls,
        path: PathLike,
        *,
        key_path: PathLike | None = None,
        password: Password | None = None,
    ) -> ClientCertificate:
        """Load PKCS#12 or PEM, whichever *path* holds."""
        head = _read(path, "certificate file")[:64].lstrip()
        if key_path is not None or head.startswith(b"-----BEGIN"):
            return cls.from_pem(path, key_path, password)
        return cls.from_pkcs12(path, password)

    @classmethod
    def _from_parts(
        cls,
        key: PrivateKeyTypes,
        certificates: list[x509.Certificate],
        key_source: PathLike,
        cert_source: PathLike,
    ) -> ClientCertificate:
        # The leaf is the certificate of the key, wherever the file put it.
        wanted = _public_der(key)
        for index, candidate in enumerate(certificates):
            if _public_der(candidate) == wanted:
                chain = certificates[:index] + certificates[index + 1 :]
                return cls(candidate, key, chain)
        where = "" if key_source == cert_source else f" in {_name(cert_source)}"
        raise CertificateLoadError(
            f"the private key in {_name(key_source)} does not belong to the certificate"
            f"{where} {_describe(certificates[0])}"
        )

    # -- facts for support requests (PDF §3.1) -------------------------------------------

    @property
    def thumbprint_sha1(self) -> str:
        """SHA-1 thumbprint in uppercase hex, as Windows and KPB support show it."""
        return hashlib.sha1(_der(self.certificate), usedforsecurity=False).hexdigest().upper()

    @property
    def thumbprint_sha256(self) -> str:
        """SHA-256 thumbprint in uppercase hex."""
        return hashlib.sha256(_der(self.certificate)).hexdigest().upper()

    @property
    def subject(self) -> str:
        """The subject as an RFC 4514 string, for example ``CN=...,O=...``."""
        return self.certificate.subject.rfc4514_string()

    @property
    def issuer(self) -> str:
        """The issuer as an RFC 4514 string."""
        return self.certificate.issuer.rfc4514_string()

    @property
    def serial_number(self) -> str:
        """The serial number in uppercase hex."""
        return format(self.certificate.serial_number, "X")

    @property
    def not_valid_before(self) -> _dt.datetime:
        """Start of the validity period, aware UTC."""
        return self.certificate.not_valid_before_utc

    @property
    def not_valid_after(self) -> _dt.datetime:
        """End of the validity period, aware UTC."""
        return self.certificate.not_valid_after_utc

    @property
    def days_left(self) -> int:
        """Whole days until expiry (negative once expired)."""
        return (self.not_valid_after - _dt.datetime.now(_dt.UTC)).days

    @property
    def cvr(self) -> str | None:
        """The CVR number of an OCES function certificate's subject, if it names one."""
        found = re.search(r"CVR:(\d{8})", self._serial_attribute())
        return found.group(1) if found else None

    @property
    def fid(self) -> str | None:
        """The FID of an OCES function certificate's subject, if it names one."""
        found = re.search(r"FID:(\d+)", self._serial_attribute())
        return found.group(1) if found else None

    def public_certificate(
        self, encoding: serialization.Encoding = serialization.Encoding.PEM
    ) -> bytes:
        """The public certificate (the ``.cer`` file KPB support registers), no key."""
        return self.certificate.public_bytes(encoding)

    def _serial_attribute(self) -> str:
        values = self.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
        return " ".join(str(v.value) for v in values)

    # -- TLS -----------------------------------------------------------------------------

    def ssl_context(self, ca_bundle: PathLike | None = None) -> ssl.SSLContext:
        """A client TLS context that presents this certificate; see :func:`create_ssl_context`."""
        return create_ssl_context(self, ca_bundle=ca_bundle)

    def _load_into(self, context: ssl.SSLContext) -> None:
        one_time = secrets.token_urlsafe(32).encode("ascii")
        key_pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(one_time),
        )
        chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)
        pem = self.certificate.public_bytes(serialization.Encoding.PEM) + chain_pem + key_pem
        directory = tempfile.mkdtemp(prefix="kpb-")  # mode 0700
        path = os.path.join(directory, "client.pem")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
            context.load_cert_chain(path, password=one_time)
        except ssl.SSLError as exc:
            raise CertificateLoadError(f"OpenSSL refused the client certificate: {exc}") from None
        finally:
            if os.path.exists(path):
                os.unlink(path)
            os.rmdir(directory)

    # -- checks --------------------------------------------------------------------------

    def _check_validity(self) -> None:
        now = _dt.datetime.now(_dt.UTC)
        if self.not_valid_after <= now:
            raise CertificateExpiredError(
                f"the certificate {_describe(self.certificate)} expired on "
                f"{_when(self.not_valid_after)}"
            )
        if self.not_valid_before > now:
            raise CertificateLoadError(
                f"the certificate {_describe(self.certificate)} is not valid before "
                f"{_when(self.not_valid_before)}; check the computer's clock"
            )
        if self.days_left < EXPIRY_WARNING_DAYS:
            message = (
                f"the certificate {_describe(self.certificate)} expires on "
                f"{_when(self.not_valid_after)}, in {self.days_left} days: renew it and "
                f"register the new one with {SUPPORT_EMAIL} (PDF §3.1)"
            )
            logger.warning("%s", message)
            warnings.warn(CertificateExpiryWarning(message), stacklevel=_caller_level())

    def __repr__(self) -> str:
        return (
            f"<ClientCertificate subject={self.subject!r} sha1={self.thumbprint_sha1} "
            f"expires={_when(self.not_valid_after)}>"
        )

    def __reduce__(self) -> NoReturn:
        raise TypeError("a ClientCertificate holds a private key and is not picklable")


def create_ssl_context(
    certificate: ClientCertificate | None = None, *, ca_bundle: PathLike | None = None
) -> ssl.SSLContext:
    """A TLS client context for KPB.

    The system trust store plus *ca_bundle* (a PEM file of extra CA certificates, for
    example a test environment's CA), TLS 1.2 at least (PDF §3), the server certificate
    and host name always checked, and *certificate* presented when given. There is no
    switch to turn verification off.
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    if ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=os.fspath(ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise CertificateLoadError(
                f"cannot use the CA bundle {_name(ca_bundle)}: {exc.strerror or exc}",
                hint=_CA_BUNDLE_HINT,
            ) from None
    if certificate is not None:
        certificate._load_into(context)
    return context


def read_password(
    value: Password | None = None,
    *,
    file: PathLike | None = None,
    env: str | None = "KPB_CERT_PASSWORD",
    file_env: str | None = "KPB_CERT_PASSWORD_FILE",
) -> bytes | None:
    """The certificate password, from the first of these that is given.

    1. *value*;
    2. the file *file*;
    3. the environment variable *env* (``KPB_CERT_PASSWORD``);
    4. the file named by the environment variable *file_env* (``KPB_CERT_PASSWORD_FILE``),
       as Docker and systemd secrets provide.

    A file's single trailing line break is removed. Returns None when none is given.
    """
    if value is not None:
        return _encode(value)
    if file is not None:
        return _read_password_file(file)
    if env and env in os.environ:
        return _encode(os.environ[env])
    if file_env and os.environ.get(file_env):
        return _read_password_file(os.environ[file_env])
    return None


# -- helpers -----------------------------------------------------------------------------


def _read_password_file(path: PathLike) -> bytes:
    data = _read(path, "password file", error=CertificatePasswordError)
    if data.endswith(b"\r\n"):
        return data[:-2]
    if data.endswith(b"\n"):
        return data[:-1]
    return data


def _read(
    path: PathLike,
    what: str,
    error: type[CertificateLoadError] | type[CertificatePasswordError] = CertificateLoadError,
) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise error(f"cannot read the {what} {_name(path)}: {exc.strerror or exc}") from None


def _load_certificates(data: bytes, source: PathLike) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        if data.lstrip().startswith(b"-----BEGIN"):
            raise CertificateLoadError(f"{_name(source)} holds no PEM certificate")
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise CertificateLoadError(f"{_name(source)} is not a readable certificate") from None


def _load_pem_key(data: bytes, source: PathLike, password: Password | None) -> PrivateKeyTypes:
    block = _PEM_KEY.search(data)
    if block is None:
        raise CertificateLoadError(f"{_name(source)} holds no PEM private key")
    pem = block.group(0)
    encrypted = b"ENCRYPTED" in pem.split(b"\n", 2)[0] or b"Proc-Type: 4,ENCRYPTED" in pem
    if encrypted and password is None:
        raise CertificatePasswordError(
            f"the private key in {_name(source)} is encrypted, and no password was given"
        )
    try:
        return serialization.load_pem_private_key(
            pem, _encode(password) if encrypted and password is not None else None
        )
    except ValueError:
        if encrypted:
            raise CertificatePasswordError(
                f"could not decrypt the private key in {_name(source)}: the password is wrong"
            ) from None
        raise CertificateLoadError(f"{_name(source)} holds no readable private key") from None
    except (TypeError, UnsupportedAlgorithm):
        raise CertificateLoadError(f"{_name(source)} holds an unsupported private key") from None


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside this package, for warnings."""
    package = os.path.dirname(__file__)
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _encode(password: Password) -> bytes:
    return password.encode("utf-8") if isinstance(password, str) else bytes(password)


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _public_der(item: x509.Certificate | PrivateKeyTypes) -> bytes:
    return item.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _describe(certificate: x509.Certificate) -> str:
    sha1 = hashlib.sha1(_der(certificate), usedforsecurity=False).hexdigest().upper()
    return f"{certificate.subject.rfc4514_string()!r} (SHA-1 {sha1})"


def _when(moment: _dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _name(path: PathLike) -> str:
    return repr(os.fspath(path))
