"""Readable tables, with Danish labels, of what KPB returned."""

from __future__ import annotations

from collections.abc import Sequence

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
)


def _code(label: str, code: int, documented: bool) -> Text:
    text = Text(f"{label} ({code})")
    if not documented:
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
        summary.add_row("Status", _code(status.label, status.value, status.is_documented))
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
                categories = ", ".join(c.code for c in group.license_categories)
                groups.add_row(group.name, categories or "-")
            parts.append(groups)
    return Group(*parts)


def applications(cpr: Cpr, found: Sequence[Application]) -> RenderableType:
    if not found:
        return Text(f"{cpr}: no driving-test applications (prøveforløb).")
    parts: list[RenderableType] = []
    for number, application in enumerate(found, start=1):
        status = application_status(application)
        summary = Table.grid(padding=(0, 2))
        summary.add_row(
            "Category", f"{application.license_category_code} ({application.license_category_name})"
        )
        summary.add_row(
            "Exam type", application.exam_type_code or application.exam_type_name or "-"
        )
        summary.add_row("Status", _code(status.label, status.value, status.is_documented))
        summary.add_row("Active", "yes" if application_is_active(application) else "no")
        parts += [Text(f"\nApplication {number} of {len(found)} for {cpr}", style="bold"), summary]

        if application.application_exams:
            exams = Table(title="Exams", title_justify="left")
            for column in ("When", "Where", "Status"):
                exams.add_column(column)
            for exam in exams_by_date(application):
                exam_state = exam_status(exam)
                exams.add_row(
                    _when(exam.exam_date),
                    exam.exam_location,
                    _code(exam_state.label, exam_state.value, exam_state.is_documented),
                )
            parts.append(exams)

        if application.application_events:
            events = Table(title="History", title_justify="left")
            for column in ("When", "Event", "By"):
                events.add_column(column)
            for event in events_in_order(application):
                kind = event_type(event)
                events.add_row(
                    _when(event.created_date),
                    _code(event.name or kind.label, kind.value, kind.is_documented),
                    event.user,
                )
            parts.append(events)
    return Group(*parts)
