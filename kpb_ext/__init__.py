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

Every public name is listed once, in the imports for type checkers below; at run time
each is imported on first use (PEP 562), from the module those imports name, so that
``import kpb_ext`` and the ``kpb`` command's start (``kpb --help``) do not load httpx,
cryptography and the generated models until they are needed.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._applications import application_is_active as application_is_active
    from ._applications import application_status as application_status
    from ._applications import event_type as event_type
    from ._applications import events_in_order as events_in_order
    from ._applications import exam_status as exam_status
    from ._applications import exam_time as exam_time
    from ._applications import exams_by_date as exams_by_date
    from ._applications import next_exam as next_exam
    from ._batch import LookupResult as LookupResult
    from ._batch import ProgressCallback as ProgressCallback
    from ._batch import What as What
    from ._batch import first_occurrences as first_occurrences
    from ._batch import masked_label as masked_label
    from ._certificates import EXPIRY_WARNING_DAYS as EXPIRY_WARNING_DAYS
    from ._certificates import CertificateExpiryWarning as CertificateExpiryWarning
    from ._certificates import ClientCertificate as ClientCertificate
    from ._certificates import create_ssl_context as create_ssl_context
    from ._certificates import read_password as read_password
    from ._client import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from ._client import MAX_RESPONSE_BYTES as MAX_RESPONSE_BYTES
    from ._client import AsyncKpbClient as AsyncKpbClient
    from ._client import KpbClient as KpbClient
    from ._codes import ApplicationEventType as ApplicationEventType
    from ._codes import ApplicationStatus as ApplicationStatus
    from ._codes import ExamStatus as ExamStatus
    from ._codes import MedicalCertificateStatus as MedicalCertificateStatus
    from ._cpr import Cpr as Cpr
    from ._exceptions import AccessNotAllowedError as AccessNotAllowedError
    from ._exceptions import BadRequestError as BadRequestError
    from ._exceptions import CertificateDoesNotExistError as CertificateDoesNotExistError
    from ._exceptions import CertificateError as CertificateError
    from ._exceptions import CertificateExpiredError as CertificateExpiredError
    from ._exceptions import CertificateLoadError as CertificateLoadError
    from ._exceptions import CertificateNotVerifiedError as CertificateNotVerifiedError
    from ._exceptions import CertificatePasswordError as CertificatePasswordError
    from ._exceptions import CertificateRequiredError as CertificateRequiredError
    from ._exceptions import ConnectionFailedError as ConnectionFailedError
    from ._exceptions import HttpsRequiredError as HttpsRequiredError
    from ._exceptions import InvalidBaseUrlError as InvalidBaseUrlError
    from ._exceptions import InvalidCprError as InvalidCprError
    from ._exceptions import InvalidResponseError as InvalidResponseError
    from ._exceptions import KpbError as KpbError
    from ._exceptions import KpbResponseError as KpbResponseError
    from ._exceptions import KpbTimeoutError as KpbTimeoutError
    from ._exceptions import KpbUnavailableError as KpbUnavailableError
    from ._exceptions import MissingParameterError as MissingParameterError
    from ._exceptions import NotFoundError as NotFoundError
    from ._exceptions import ResponseTooLargeError as ResponseTooLargeError
    from ._exceptions import TlsError as TlsError
    from ._exceptions import TransportError as TransportError
    from ._exceptions import UnauthorizedError as UnauthorizedError
    from ._exceptions import UnexpectedStatusError as UnexpectedStatusError
    from ._facts import ACCESS_EMAIL as ACCESS_EMAIL
    from ._facts import ALLOW_LISTING_HINT as ALLOW_LISTING_HINT
    from ._facts import BASE_URL_HINT as BASE_URL_HINT
    from ._facts import ENVIRONMENTS as ENVIRONMENTS
    from ._facts import REGISTRATION_HINT as REGISTRATION_HINT
    from ._facts import SUPPORT_EMAIL as SUPPORT_EMAIL
    from ._files import open_private as open_private
    from ._medical_certificates import is_medical_certificate_valid as is_medical_certificate_valid
    from ._medical_certificates import medical_certificate_status as medical_certificate_status
    from ._medical_certificates import valid_medical_certificates as valid_medical_certificates
    from ._rate import DEFAULT_RATE as DEFAULT_RATE
    from ._rate import check_rate as check_rate
    from ._rate import parse_rate as parse_rate
    from ._redact import CprRedactingFilter as CprRedactingFilter
    from ._redact import drop_cut_number as drop_cut_number
    from ._redact import install_log_redaction as install_log_redaction
    from ._redact import printable as printable
    from ._redact import redact as redact
    from ._responses import parse_retry_after as parse_retry_after
    from ._responses import tls_error as tls_error
    from ._retry import RETRY_AFTER_STATUSES as RETRY_AFTER_STATUSES
    from ._retry import RETRY_STATUSES as RETRY_STATUSES
    from ._retry import RetryPolicy as RetryPolicy
    from ._time import KPB_TIME_ZONE as KPB_TIME_ZONE
    from ._time import KpbDateTime as KpbDateTime
    from ._time import to_datetime as to_datetime
    from ._urls import is_loopback as is_loopback
    from ._urls import same_host as same_host
    from ._urls import validate_base_url as validate_base_url


@functools.cache
def _public_names() -> dict[str, str]:
    """Name -> defining module, read from the ``if TYPE_CHECKING:`` imports above.

    Read when a name is first asked for, not at import: ``kpb --help`` never needs it.
    """
    import ast

    with open(__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    (block,) = (
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    return {
        alias.asname or alias.name: "." * node.level + (node.module or "")
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted(_public_names())
    if name == "_DEFINED_IN":
        return _public_names()
    module = _public_names().get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_public_names()})
