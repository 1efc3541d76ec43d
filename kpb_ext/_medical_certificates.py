"""What users ask of a medical certificate (lægeerklæring)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from kpb_client.models import MedicalCertificate

from ._codes import MedicalCertificateStatus
from ._time import KPB_TIME_ZONE, KpbDateTime

__all__ = [
    "is_medical_certificate_valid",
    "medical_certificate_status",
    "valid_medical_certificates",
]


def medical_certificate_status(certificate: MedicalCertificate) -> MedicalCertificateStatus | None:
    """The status as a :class:`MedicalCertificateStatus` (undocumented codes kept); None
    when KPB sent ``"Status": null`` (D22)."""
    status = certificate.status
    return None if status is None else MedicalCertificateStatus.from_code(status.code, status.name)


def is_medical_certificate_valid(
    certificate: MedicalCertificate, on: _dt.date | None = None
) -> bool:
    """Whether *certificate* is valid on the day *on* (today in Denmark by default).

    Valid means: status 2 ``Godkendt``, and ``IssueDate <= on <= ExpireDate``, comparing
    Danish calendar dates (KPB sends these dates at midnight; the expiry day itself
    still counts). Every other status is not valid: ``Modtaget`` and ``Under
    viderebehandling`` are not approved yet, ``Afvist`` is refused, ``Inaktiv`` is
    deleted and by Bilag B takes no part in validation, and an undocumented code or a
    null status is not known to mean approval.
    """
    if on is None:
        on = _dt.datetime.now(KPB_TIME_ZONE).date()
    if medical_certificate_status(certificate) is not MedicalCertificateStatus.GODKENDT:
        return False
    issued = KpbDateTime(certificate.issue_date).date
    expires = KpbDateTime(certificate.expire_date).date
    return issued <= on <= expires


def valid_medical_certificates(
    certificates: Iterable[MedicalCertificate], on: _dt.date | None = None
) -> list[MedicalCertificate]:
    """The certificates valid on *on*, in the order given."""
    if on is None:
        on = _dt.datetime.now(KPB_TIME_ZONE).date()
    return [c for c in certificates if is_medical_certificate_valid(c, on)]
