"""kpb_ext: the hand-written layer over the generated KPB client.

A client for KOMBIT's Køreprøvebooking (KPB) web services that presents the function
certificate, keeps CPR numbers out of logs, exceptions and reprs, raises one typed error
per documented failure, retries what is safe, and turns KPB's codes and timestamps into
Python values::

    from kpb_ext import ClientCertificate, KpbClient, read_password

    certificate = ClientCertificate.from_pkcs12("function.p12", read_password())
    with KpbClient(environment="test", certificate=certificate) as kpb:
        for application in kpb.applications("070261-4074"):
            ...

The models returned are the generated ones of :mod:`kpb_client.models`.

Every name below is imported on first use (PEP 562), so that ``import kpb_ext`` and the
``kpb`` command's start (``kpb --help``) do not load httpx, cryptography and the
generated models until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._applications import (
        application_is_active,
        application_status,
        event_type,
        events_in_order,
        exam_status,
        exam_time,
        exams_by_date,
        next_exam,
    )
    from ._batch import LookupResult, ProgressCallback, What
    from ._certificates import (
        EXPIRY_WARNING_DAYS,
        CertificateExpiryWarning,
        ClientCertificate,
        create_ssl_context,
        read_password,
    )
    from ._client import DEFAULT_TIMEOUT, ENVIRONMENTS, AsyncKpbClient, KpbClient
    from ._codes import (
        ApplicationEventType,
        ApplicationStatus,
        ExamStatus,
        MedicalCertificateStatus,
    )
    from ._cpr import Cpr
    from ._exceptions import (
        AccessNotAllowedError,
        BadRequestError,
        CertificateDoesNotExistError,
        CertificateError,
        CertificateExpiredError,
        CertificateLoadError,
        CertificateNotVerifiedError,
        CertificatePasswordError,
        CertificateRequiredError,
        ConnectionFailedError,
        HttpsRequiredError,
        InvalidCprError,
        InvalidResponseError,
        KpbError,
        KpbResponseError,
        KpbTimeoutError,
        KpbUnavailableError,
        MissingParameterError,
        NotFoundError,
        TlsError,
        TransportError,
        UnauthorizedError,
        UnexpectedStatusError,
    )
    from ._files import open_private
    from ._medical_certificates import (
        is_medical_certificate_valid,
        medical_certificate_status,
        valid_medical_certificates,
    )
    from ._redact import CprRedactingFilter, install_log_redaction, redact
    from ._retry import RETRY_STATUSES, RetryPolicy
    from ._time import KPB_TIME_ZONE, KpbDateTime, to_datetime

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENVIRONMENTS",
    "EXPIRY_WARNING_DAYS",
    "KPB_TIME_ZONE",
    "RETRY_STATUSES",
    "AccessNotAllowedError",
    "ApplicationEventType",
    "ApplicationStatus",
    "AsyncKpbClient",
    "BadRequestError",
    "CertificateDoesNotExistError",
    "CertificateError",
    "CertificateExpiredError",
    "CertificateExpiryWarning",
    "CertificateLoadError",
    "CertificateNotVerifiedError",
    "CertificatePasswordError",
    "CertificateRequiredError",
    "ClientCertificate",
    "ConnectionFailedError",
    "Cpr",
    "CprRedactingFilter",
    "ExamStatus",
    "HttpsRequiredError",
    "InvalidCprError",
    "InvalidResponseError",
    "KpbClient",
    "KpbDateTime",
    "KpbError",
    "KpbResponseError",
    "KpbTimeoutError",
    "KpbUnavailableError",
    "LookupResult",
    "MedicalCertificateStatus",
    "MissingParameterError",
    "NotFoundError",
    "ProgressCallback",
    "RetryPolicy",
    "TlsError",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedStatusError",
    "What",
    "application_is_active",
    "application_status",
    "create_ssl_context",
    "event_type",
    "events_in_order",
    "exam_status",
    "exam_time",
    "exams_by_date",
    "install_log_redaction",
    "is_medical_certificate_valid",
    "medical_certificate_status",
    "next_exam",
    "open_private",
    "read_password",
    "redact",
    "to_datetime",
    "valid_medical_certificates",
]

# The module that defines each public name (relative to this package).
_MODULES: Final[dict[str, tuple[str, ...]]] = {
    "._applications": (
        "application_is_active",
        "application_status",
        "event_type",
        "events_in_order",
        "exam_status",
        "exam_time",
        "exams_by_date",
        "next_exam",
    ),
    "._batch": ("LookupResult", "ProgressCallback", "What"),
    "._certificates": (
        "EXPIRY_WARNING_DAYS",
        "CertificateExpiryWarning",
        "ClientCertificate",
        "create_ssl_context",
        "read_password",
    ),
    "._client": ("DEFAULT_TIMEOUT", "ENVIRONMENTS", "AsyncKpbClient", "KpbClient"),
    "._codes": (
        "ApplicationEventType",
        "ApplicationStatus",
        "ExamStatus",
        "MedicalCertificateStatus",
    ),
    "._cpr": ("Cpr",),
    "._exceptions": (
        "AccessNotAllowedError",
        "BadRequestError",
        "CertificateDoesNotExistError",
        "CertificateError",
        "CertificateExpiredError",
        "CertificateLoadError",
        "CertificateNotVerifiedError",
        "CertificatePasswordError",
        "CertificateRequiredError",
        "ConnectionFailedError",
        "HttpsRequiredError",
        "InvalidCprError",
        "InvalidResponseError",
        "KpbError",
        "KpbResponseError",
        "KpbTimeoutError",
        "KpbUnavailableError",
        "MissingParameterError",
        "NotFoundError",
        "TlsError",
        "TransportError",
        "UnauthorizedError",
        "UnexpectedStatusError",
    ),
    "._files": ("open_private",),
    "._medical_certificates": (
        "is_medical_certificate_valid",
        "medical_certificate_status",
        "valid_medical_certificates",
    ),
    "._redact": ("CprRedactingFilter", "install_log_redaction", "redact"),
    "._retry": ("RETRY_STATUSES", "RetryPolicy"),
    "._time": ("KPB_TIME_ZONE", "KpbDateTime", "to_datetime"),
}
_DEFINED_IN: Final = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
