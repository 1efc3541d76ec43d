"""Who the suite is on a TLS connection: the given certificate, another one, or none.

Every request the suite makes goes through a fresh :class:`ssl.SSLContext` made by an
:class:`Identity`. The user's function certificate is loaded by ``kpb_ext``, which never
writes its private key to disk unencrypted; that is why the suite drives schemathesis
through ``requests`` with such a context instead of schemathesis's own TLS options,
which take an unencrypted PEM key file.
"""

from __future__ import annotations

import os
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpb_ext import ClientCertificate

__all__ = [
    "CertificateProblem",
    "Identity",
    "anonymous",
    "certificate_identity",
    "given_certificate",
    "throwaway_certificate",
]


class CertificateProblem(Exception):
    """The client certificate, its key, its password or the CA bundle cannot be used."""


@dataclass(frozen=True)
class Identity:
    """A way of appearing on the TLS connection."""

    #: How reports name it, for example "the given certificate" or "no certificate".
    label: str
    #: A fresh client context: TLS 1.2 or newer, server certificate and host name checked.
    make_context: Callable[[], ssl.SSLContext]
    #: What a curl command needs to appear the same way, with placeholder file names.
    curl_args: tuple[str, ...] = ()
    #: What KPB support needs to find the certificate: subject and thumbprint.
    details: str = ""

    def context(
        self,
        *,
        minimum: ssl.TLSVersion | None = None,
        maximum: ssl.TLSVersion | None = None,
    ) -> ssl.SSLContext:
        """A fresh context, limited to the TLS versions given (for the version probes)."""
        context = self.make_context()
        if minimum is not None and minimum < ssl.TLSVersion.TLSv1_2:
            # OpenSSL 3 refuses to offer TLS 1.0/1.1 at its default security level.
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            # Python deprecates TLS 1.0/1.1, which the probes offer on purpose.
            warnings.simplefilter("ignore", DeprecationWarning)
            if minimum is not None:
                context.minimum_version = minimum
            if maximum is not None:
                context.maximum_version = maximum
        return context


def _base_context(ca_bundle: Path | None) -> ssl.SSLContext:
    from kpb_ext import CertificateError, create_ssl_context

    try:
        return create_ssl_context(None, ca_bundle=ca_bundle)
    except CertificateError as exc:
        raise CertificateProblem(str(exc)) from None


def anonymous(ca_bundle: Path | None) -> Identity:
    """No client certificate, as a caller without one appears to KPB."""
    _base_context(ca_bundle)  # fail now, not in the middle of a run
    return Identity("no certificate", lambda: _base_context(ca_bundle), _cacert(ca_bundle))


def given_certificate(
    *,
    cert: Path | None = None,
    key: Path | None = None,
    p12: Path | None = None,
    ca_bundle: Path | None = None,
    password: str | bytes | None = None,
) -> Identity:
    """The user's function certificate: PEM certificate and key, or PKCS#12.

    Without *password*, it comes from ``KPB_CERT_PASSWORD`` or the file named by
    ``KPB_CERT_PASSWORD_FILE``, never from the command line. The certificate is loaded
    (and checked) once; every context gets it from memory.
    """
    from kpb_ext import CertificateError, ClientCertificate, read_password

    try:
        password = read_password(password)
        if p12 is not None:
            certificate = ClientCertificate.from_pkcs12(p12, password)
        elif cert is not None:
            certificate = ClientCertificate.from_pem(cert, key, password)
        else:
            raise CertificateProblem("no certificate given")
        return certificate_identity(certificate, ca_bundle)
    except CertificateError as exc:
        raise CertificateProblem(str(exc)) from None


def certificate_identity(certificate: ClientCertificate, ca_bundle: Path | None) -> Identity:
    """The user's function certificate, loaded already (by ``kpb``'s target options).

    Raises kpb_ext's CertificateError when it cannot make a TLS context with *ca_bundle*.
    """
    certificate.ssl_context(ca_bundle)

    def make_context() -> ssl.SSLContext:
        return certificate.ssl_context(ca_bundle)

    curl_args = ("--cert", "CERT.pem", "--key", "KEY.pem", *_cacert(ca_bundle))
    details = (
        f"subject {certificate.subject}, SHA-1 thumbprint {certificate.thumbprint_sha1}, "
        f"valid until {certificate.not_valid_after:%Y-%m-%d}"
    )
    return Identity("the given certificate", make_context, curl_args, details)


def throwaway_certificate(
    label: str, name: str, cert: Path, key: Path, ca_bundle: Path | None
) -> Identity:
    """A throwaway certificate of a test environment (the simulator's), kept as PEM files.

    Such certificates may be expired or unregistered on purpose, to provoke KPB's 401
    answers, so they are loaded as they are, without the checks a user's certificate gets.
    """
    for path in (cert, key):
        if not os.access(path, os.R_OK):
            raise CertificateProblem(f"cannot read {path}")

    def make_context() -> ssl.SSLContext:
        context = _base_context(ca_bundle)
        context.load_cert_chain(cert, key)
        return context

    try:
        make_context()
    except ssl.SSLError as exc:
        raise CertificateProblem(f"cannot use {cert} with {key}: {exc}") from None
    curl_args = ("--cert", f"{name}.pem", "--key", f"{name}-key.pem", *_cacert(ca_bundle))
    return Identity(label, make_context, curl_args)


def _cacert(ca_bundle: Path | None) -> tuple[str, ...]:
    return ("--cacert", "CA.pem") if ca_bundle is not None else ()
