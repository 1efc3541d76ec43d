"""Contains all the data models used in inputs/outputs"""

from .application import Application
from .application_event import ApplicationEvent
from .application_event_type import ApplicationEventType
from .application_exam import ApplicationExam
from .application_status import ApplicationStatus
from .application_status_code import ApplicationStatusCode
from .applications_response import ApplicationsResponse
from .error_message import ErrorMessage
from .exam_status import ExamStatus
from .exam_status_code import ExamStatusCode
from .license_category import LicenseCategory
from .medical_certificate import MedicalCertificate
from .medical_certificate_group import MedicalCertificateGroup
from .medical_certificate_status import MedicalCertificateStatus
from .medical_certificate_status_code import MedicalCertificateStatusCode
from .medical_certificates_response import MedicalCertificatesResponse

__all__ = (
    "Application",
    "ApplicationEvent",
    "ApplicationEventType",
    "ApplicationExam",
    "ApplicationStatus",
    "ApplicationStatusCode",
    "ApplicationsResponse",
    "ErrorMessage",
    "ExamStatus",
    "ExamStatusCode",
    "LicenseCategory",
    "MedicalCertificate",
    "MedicalCertificateGroup",
    "MedicalCertificateStatus",
    "MedicalCertificateStatusCode",
    "MedicalCertificatesResponse",
)
