"""What users ask of a driving-test application (prøveforløb): status, exams, history."""

from __future__ import annotations

import datetime as _dt
from typing import Final

from kpb_client.models import Application, ApplicationEvent, ApplicationExam

from ._codes import ApplicationEventType, ApplicationStatus, ExamStatus
from ._time import KpbDateTime

__all__ = [
    "application_is_active",
    "application_status",
    "event_type",
    "events_in_order",
    "exam_status",
    "exam_time",
    "exams_by_date",
    "next_exam",
]

#: Statuses after which nothing more happens on the application (Bilag B).
ENDED_STATUSES: Final = frozenset(
    {
        ApplicationStatus.AFVIST_ANSOEGNING,
        ApplicationStatus.GENNEMFOERT,
        ApplicationStatus.KOEREKORT_BESTILT,
        ApplicationStatus.AFBRUDT,
    }
)


def application_status(application: Application) -> ApplicationStatus | None:
    """The status as an :class:`ApplicationStatus` (undocumented codes kept); None when
    KPB sent ``"ApplicationStatus": null`` (D22)."""
    status = application.application_status
    return None if status is None else ApplicationStatus.from_code(status.code, status.name)


def exam_status(exam: ApplicationExam) -> ExamStatus | None:
    """The exam's status as an :class:`ExamStatus` (undocumented codes kept); None when
    KPB sent ``"ExamStatus": null`` (D22)."""
    status = exam.exam_status
    return None if status is None else ExamStatus.from_code(status.code, status.name)


def event_type(event: ApplicationEvent) -> ApplicationEventType | None:
    """The event's type as an :class:`ApplicationEventType` (undocumented codes kept).

    KPB sends the type as an integer. The PDF's table calls it a string (D3): a string of
    digits is read as that code, and any other string gives None; the event's ``name``
    then says what happened.
    """
    code = event.type_
    if isinstance(code, str):
        digits = code.strip()
        if not (digits.isascii() and digits.isdigit()):
            return None
        code = int(digits)
    return ApplicationEventType.from_code(code, event.name)


def application_is_active(application: Application) -> bool:
    """Whether the application is still in progress.

    Ended: 3 ``Afvist ansøgning``, 5 ``Gennemført``, 6 ``Kørekort bestilt``, 7
    ``Afbrudt``. Active: 1 ``Afventer behandling``, 2 ``Godkendt ansøgning``, 4 ``Under
    viderebehandling``, any undocumented code, and no status at all: the undocumented
    codes KPB is known to send (11 ``Prøve bestilt``, and ``Klar til bestilling`` in
    Bilag A) describe applications in progress, while every status that ends an
    application is documented.
    """
    return application_status(application) not in ENDED_STATUSES


def exams_by_date(application: Application) -> list[ApplicationExam]:
    """The exams, earliest first (exams at the same time keep KPB's order); none for a
    null list (D22)."""
    exams = application.application_exams or []
    return sorted(exams, key=lambda e: KpbDateTime(e.exam_date))


def next_exam(application: Application, now: _dt.datetime | None = None) -> ApplicationExam | None:
    """The next booked exam: status 1 ``Bestilt`` and not before *now* (an aware datetime).

    Exams with any other status are not upcoming: cancelled ones (``Afbestilt``,
    ``Aflyst``...) will not take place, and an undocumented status is not known to be a
    booking.
    """
    moment = now if now is not None else _dt.datetime.now(_dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    for exam in exams_by_date(application):
        if exam_status(exam) is ExamStatus.BESTILT and exam_time(exam) >= moment:
            return exam
    return None


def exam_time(exam: ApplicationExam) -> _dt.datetime:
    """When *exam* takes place, as an aware ``Europe/Copenhagen`` datetime."""
    return KpbDateTime(exam.exam_date).datetime


def events_in_order(application: Application) -> list[ApplicationEvent]:
    """The event history, oldest first, to the 100 ns tick (ties keep KPB's order); none
    for a null list (D22)."""
    events = application.application_events or []
    return sorted(events, key=lambda e: KpbDateTime(e.created_date))
