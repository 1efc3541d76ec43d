"""The embedded simulator: what ``kpb contract`` tests when it is given no target."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._identity import anonymous, given_certificate, throwaway_certificate
from ._target import ErrorProbe, Target

if TYPE_CHECKING:
    from kpb_sim import CertificateSet, Simulator

__all__ = ["embedded_simulator", "simulator_target"]

_BOTH = ("/MedicalCertificate", "/Application")

# simulator certificate -> the 401 message it provokes, and where (PDF §3.3)
_PROBES = {
    "expired": ("Certificate not verified", _BOTH),
    "unregistered": ("Certificate doesn't exist", _BOTH),
    "application-only": ("Access not allowed for Certificate", ("/MedicalCertificate",)),
}


@contextmanager
def embedded_simulator(drift: str | None = None) -> Iterator[Target]:
    """Start ``kpb_sim`` on loopback with throwaway certificates; yield it as a target."""
    from kpb_sim import throwaway_simulator

    with throwaway_simulator(drift, prefix="kpb-contract-sim-") as (certificates, simulator):
        description = "embedded simulator" + (f", drift mode {drift}" if drift else "")
        yield simulator_target(certificates, simulator, description=description)


def simulator_target(
    certificates: CertificateSet, simulator: Simulator, *, description: str = "simulator"
) -> Target:
    """A running simulator as a target.

    Its registered certificate is used the way a user's is: the encrypted key, loaded by
    ``kpb_ext``. Its other certificates provoke the three 401 messages a registered
    certificate cannot.
    """
    ca_bundle = certificates.ca_cert
    registered = certificates.client("registered")
    identity = given_certificate(
        cert=registered.cert,
        key=registered.key_encrypted,
        ca_bundle=ca_bundle,
        password=registered.password,
    )
    probes = []
    for name, (message, paths) in _PROBES.items():
        client = certificates.client(name)
        probe = throwaway_certificate(
            f"the simulator's {name} certificate", name, client.cert, client.key, ca_bundle
        )
        probes.append(ErrorProbe(probe, message, paths))
    return Target(
        simulator.base_url,
        identity,
        anonymous(ca_bundle),
        http_base_url=simulator.http_base_url,
        error_probes=tuple(probes),
        description=description,
    )
