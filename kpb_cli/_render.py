"""Readable tables, with Danish labels, of what KPB returned."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from kpb_client.models import Application, MedicalCertificate
from kpb_ext import (
    Cpr,
    KpbDateTime,
    application_is_active,
    application_status,
    event_type,
    events_in_order,
    exam_status,
    exams_by_date,
    is_medical_certificate_valid,
    medical_certificate_status,
    printable,
)

# What a null string, object or list shows as (D22).
_NONE = "-"


def _text(value: str | None) -> str:
    """KPB's text as it came, but for control characters, which are escaped: they would
    act on the terminal rather than show."""
    return _NONE if value is None else printable(value)


def _code(code: IntEnum | None, label: str | None = None) -> Text:
    """``Godkendt (2)``; an undocumented code is marked, a null status shows as "-"."""
    if code is None:
        return Text(_text(label))
    text = Text(f"{_text(label or getattr(code, 'label', ''))} ({int(code)})")
    if not getattr(code, "is_documented", True):
        text.append(" undocumented code", style="yellow")
    return text


def _when(value: str, *, date_only: bool = False) -> str:
    moment = KpbDateTime(value).datetime
    return f"{moment:%Y-%m-%d}" if date_only else f"{moment:%Y-%m-%d %H:%M:%S}"


def medical_certificates(cpr: Cpr, certificates: Sequence[MedicalCertificate]) -> RenderableType:
    if not certificates:
        return Text(f"{cpr}: no medical certificates (lægeerklæringer).")
    parts: list[RenderableType] = []
    for number, certificate in enumerate(certificates, start=1):
        status = medical_certificate_status(certificate)
        summary = Table.grid(padding=(0, 2))
        summary.add_row("Status", _code(status))
        summary.add_row("Issued", _when(certificate.issue_date, date_only=True))
        summary.add_row("Received", _when(certificate.receive_date, date_only=True))
        summary.add_row("Expires", _when(certificate.expire_date, date_only=True))
        summary.add_row("Valid today", "yes" if is_medical_certificate_valid(certificate) else "no")
        title = f"\nMedical certificate {number} of {len(certificates)} for {cpr}"
        parts += [Text(title, style="bold"), summary]
        if certificate.medical_certificate_groups:
            groups = Table(title="Groups and licence categories", title_justify="left")
            groups.add_column("Group")
            groups.add_column("Categories")
            for group in certificate.medical_certificate_groups:
                categories = ", ".join(_text(c.code) for c in group.license_categories or [])
                groups.add_row(Text(_text(group.name)), Text(categories or _NONE))
            parts.append(groups)
    return Group(*parts)


def applications(cpr: Cpr, found: Sequence[Application]) -> RenderableType:
    if not found:
        return Text(f"{cpr}: no driving-test applications (prøveforløb).")
    parts: list[RenderableType] = []
    for number, application in enumerate(found, start=1):
        status = application_status(application)
        summary = Table.grid(padding=(0, 2))
        category = _text(application.license_category_code)
        if application.license_category_name is not None:
            category += f" ({_text(application.license_category_name)})"
        exam_type = application.exam_type_code or application.exam_type_name or _NONE
        # Text, not str: rich would read "[...]" in KPB's data as its own markup.
        summary.add_row("Category", Text(category))
        summary.add_row("Exam type", Text(_text(exam_type)))
        summary.add_row("Status", _code(status))
        summary.add_row("Active", "yes" if application_is_active(application) else "no")
        parts += [Text(f"\nApplication {number} of {len(found)} for {cpr}", style="bold"), summary]

        if application.application_exams:
            exams = Table(title="Exams", title_justify="left")
            for column in ("When", "Where", "Status"):
                exams.add_column(column)
            for exam in exams_by_date(application):
                exams.add_row(
                    _when(exam.exam_date), Text(_text(exam.exam_location)), _code(exam_status(exam))
                )
            parts.append(exams)

        if application.application_events:
            events = Table(title="History", title_justify="left")
            for column in ("When", "Event", "By"):
                events.add_column(column)
            for event in events_in_order(application):
                kind = event_type(event)
                what = _code(kind, event.name) if kind is not None else Text(_text(event.name))
                events.add_row(_when(event.created_date), what, Text(_text(event.user)))
            parts.append(events)
    return Group(*parts)
