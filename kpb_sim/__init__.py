"""kpb_sim: an offline stand-in for the KPB test environment.

It serves the three KPB web services over mutual TLS on loopback, with the seven test
persons of the documentation's Bilag A, throwaway certificates for each of KPB's 401
answers, and drift modes that break the contract in one named way each. It can replay
recordings of the real service (:class:`Replay`) and rehearse latency, failures,
throttling and outages (:class:`Rehearsal`).

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
from ._rehearsal import (
    FAILURE_MIX,
    SLOW_BODY_SECONDS,
    Latency,
    Outage,
    Rehearsal,
    parse_fail_rate,
    parse_rate_limit,
)
from ._replay import MISS_POLICIES, MissPolicy, Replay, ReplayError, read_allowed_cprs
from ._server import Simulator, throwaway_simulator

__all__ = [
    "BILAG_A",
    "CLIENT_NAMES",
    "DRIFT_MODES",
    "FAILURE_MIX",
    "MISS_POLICIES",
    "SERVICES",
    "SLOW_BODY_SECONDS",
    "CertificateError",
    "CertificateSet",
    "ClientCertificateFiles",
    "DataError",
    "DriftMode",
    "Latency",
    "MissPolicy",
    "Outage",
    "Person",
    "Rehearsal",
    "Replay",
    "ReplayError",
    "Simulator",
    "create_certificates",
    "load_certificates",
    "load_persons",
    "parse_fail_rate",
    "parse_rate_limit",
    "read_allowed_cprs",
    "throwaway_simulator",
]
