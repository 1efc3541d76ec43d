"""kpb_sim: an offline stand-in for the KPB test environment.

It serves the three KPB web services over mutual TLS on loopback, with the seven test
persons of the documentation's Bilag A, throwaway certificates for each of KPB's 401
answers, and drift modes that break the contract in one named way each.

It is an independent reading of the documentation: it imports neither the generated
client nor ``kpb_ext``, so that a misunderstanding in one cannot hide in the other.
"""

from ._certificates import (
    CLIENT_NAMES,
    SERVICES,
    CertificateError,
    CertificateSet,
    ClientCertificateFiles,
    create_certificates,
    load_certificates,
)
from ._data import BILAG_A, DataError, Person, load_persons
from ._drift import DRIFT_MODES, DriftMode
from ._server import Simulator, throwaway_simulator

__all__ = [
    "BILAG_A",
    "CLIENT_NAMES",
    "DRIFT_MODES",
    "SERVICES",
    "CertificateError",
    "CertificateSet",
    "ClientCertificateFiles",
    "DataError",
    "DriftMode",
    "Person",
    "Simulator",
    "create_certificates",
    "load_certificates",
    "load_persons",
    "throwaway_simulator",
]
