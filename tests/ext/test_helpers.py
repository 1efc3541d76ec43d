"""The questions users ask of medical certificates and applications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kpb_client.models import Application, MedicalCertificate
from kpb_ext import (
    KPB_TIME_ZONE,
    ApplicationEventType,
    ApplicationStatus,
    ExamStatus,
    MedicalCertificateStatus,
    application_is_active,
    application_status,
    event_type,
    events_in_order,
    exam_status,
    exam_time,
    exams_by_date,
    is_medical_certificate_valid,
    medical_certificate_status,
    next_exam,
    valid_medical_certificates,
)

from . import examples


def certificate(**changes: Any) -> MedicalCertificate:
    body = examples.medical_certificates()["MedicalCertificates"][0]
    body.update(changes)
    return MedicalCertificate.from_dict(body)


def application(**changes: Any) -> Application:
    body = examples.applications()["Applications"][0]
    body.update(changes)
    return Application.from_dict(body)


def exam(date: str, code: int, name: str = "x", location: str = "Rønne") -> dict[str, Any]:
    return {"ExamDate": date, "ExamStatus": {"Code": code, "Name": name}, "ExamLocation": location}


# -- medical certificates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (dt.date(2018, 4, 15), False),
        (dt.date(2018, 4, 16), True),  # issue date
        (dt.date(2018, 12, 24), True),
        (dt.date(2019, 7, 16), True),  # expiry date still counts
        (dt.date(2019, 7, 17), False),
    ],
)
def test_validity_window(day: dt.date, valid: bool) -> None:
    assert is_medical_certificate_valid(certificate(), day) is valid


@pytest.mark.parametrize(
    ("code", "name"),
    [(0, "Ikke sat"), (1, "Modtaget"), (3, "Afvist"), (4, "Under viderebehandling"),
     (5, "Inaktiv"), (9, "Godkendt med forbehold")],
)  # fmt: skip
def test_only_godkendt_is_valid(code: int, name: str) -> None:
    mc = certificate(Status={"Code": code, "Name": name})
    assert is_medical_certificate_valid(mc, dt.date(2018, 12, 24)) is False


def test_undocumented_medical_certificate_status() -> None:
    status = medical_certificate_status(certificate(Status={"Code": 9, "Name": "Ny"}))
    assert (status.value, status.label, status.is_documented) == (9, "Ny", False)
    assert medical_certificate_status(certificate()) is MedicalCertificateStatus.GODKENDT


def test_valid_medical_certificates_and_today() -> None:
    today = dt.datetime.now(KPB_TIME_ZONE).date()
    current = certificate(
        IssueDate=f"{today - dt.timedelta(days=10)}T00:00:00",
        ExpireDate=f"{today + dt.timedelta(days=10)}T00:00:00",
    )
    old = certificate()
    assert valid_medical_certificates([old, current]) == [current]
    assert is_medical_certificate_valid(current)
    assert valid_medical_certificates([old, current], dt.date(2019, 1, 1)) == [old]


# -- applications ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "active"),
    [(1, True), (2, True), (3, False), (4, True), (5, False), (6, False), (7, False), (11, True)],
)
def test_active(code: int, active: bool) -> None:
    app = application(ApplicationStatus={"Code": code, "Name": "n"})
    assert application_is_active(app) is active


def test_application_status_keeps_undocumented_code() -> None:
    status = application_status(application())
    assert (status.value, status.label, status.is_documented) == (11, "Prøve bestilt", False)
    documented = application_status(application(ApplicationStatus={"Code": 7, "Name": "Afbrudt"}))
    assert documented is ApplicationStatus.AFBRUDT


def test_exams_sorted_and_the_next_one() -> None:
    app = application(
        ApplicationExams=[
            exam("2018-05-31T00:00:00", 1, "Bestilt", "practical"),
            exam("2018-05-25T11:00:00", 2, "Bestået", "theory"),
            exam("2018-05-28T09:00:00", 4, "Afbestilt", "cancelled"),
            exam("2018-05-29T09:00:00", 12, "Ny status", "undocumented"),
        ]
    )
    assert [e.exam_location for e in exams_by_date(app)] == [
        "theory",
        "cancelled",
        "undocumented",
        "practical",
    ]
    before = dt.datetime(2018, 5, 26, tzinfo=dt.UTC)
    upcoming = next_exam(app, before)
    assert upcoming is not None
    assert upcoming.exam_location == "practical"
    assert exam_status(upcoming) is ExamStatus.BESTILT
    assert exam_time(upcoming) == dt.datetime(2018, 5, 31, tzinfo=KPB_TIME_ZONE)
    # Midnight in Denmark is 22:00 UTC the day before: by then it has started.
    assert next_exam(app, dt.datetime(2018, 5, 30, 22, 0, 1, tzinfo=dt.UTC)) is None
    assert next_exam(app, dt.datetime(2018, 5, 30, 21, 59, tzinfo=dt.UTC)) is upcoming
    assert next_exam(app) is None  # 2018 is in the past
    with pytest.raises(ValueError, match="aware"):
        next_exam(app, dt.datetime(2018, 5, 26))


def test_events_in_chronological_order() -> None:
    events = examples.applications()["Applications"][0]["ApplicationEvents"]
    shuffled = [events[i] for i in (3, 0, 5, 1, 4, 2)]
    shuffled.append(
        {
            **events[0],
            "Type": 77,
            "Name": "Ny hændelse",
            "CreatedDate": "2018-02-09T11:54:36.9625114",
        }
    )
    app = application(ApplicationEvents=shuffled)
    ordered = events_in_order(app)
    assert [e.created_date for e in ordered] == [
        "2018-02-09T11:54:36.9625113",
        "2018-02-09T11:54:36.9625114",  # the 7th digit decides
        "2018-04-16T10:28:33.3812207",
        "2018-04-16T10:34:13.8903132",
        "2018-04-16T14:24:12.4457546",
        "2018-04-16T14:24:31.4726232",
        "2018-04-16T14:25:28.7298265",
    ]
    kinds = [event_type(e) for e in ordered]
    assert kinds[0] is ApplicationEventType.PROEVEFORLOEB_OPRETTET
    assert (kinds[1].value, kinds[1].label, kinds[1].is_documented) == (77, "Ny hændelse", False)


def test_events_at_the_same_moment_keep_kpbs_order() -> None:
    # Bilag A: "Prøveforløb oprettet" and "Kontant betaling modtaget" share a timestamp.
    first = {
        "Type": 1,
        "Name": "Prøveforløb oprettet",
        "User": "u",
        "CreatedDate": "2018-05-25T10:07:37.6402923",
    }
    second = {**first, "Type": 26, "Name": "Kontant betaling modtaget"}
    app = application(ApplicationEvents=[first, second])
    assert [e.type_ for e in events_in_order(app)] == [1, 26]


# -- what Json.NET leaves null (D22), and event types as text (D3) -------------------------


def test_a_null_status_is_unknown_not_an_error() -> None:
    assert medical_certificate_status(certificate(Status=None)) is None
    assert is_medical_certificate_valid(certificate(Status=None), dt.date(2018, 12, 24)) is False
    assert application_status(application(ApplicationStatus=None)) is None
    assert application_is_active(application(ApplicationStatus=None)) is True
    null_exam = {"ExamDate": "2099-01-01T09:00:00", "ExamStatus": None, "ExamLocation": None}
    found = application(ApplicationExams=[null_exam])
    (only,) = exams_by_date(found)
    assert exam_status(only) is None
    assert next_exam(found) is None  # not known to be booked


def test_null_lists_read_as_none() -> None:
    empty = application(ApplicationExams=None, ApplicationEvents=None)
    assert exams_by_date(empty) == []
    assert events_in_order(empty) == []
    assert next_exam(empty) is None


@pytest.mark.parametrize(
    ("sent", "expected"),
    [("1", ApplicationEventType.PROEVEFORLOEB_OPRETTET), (" 26 ", 26), ("77", 77), ("x", None),
     ("Prøveforløb oprettet", None), ("\u0661", None)],  # an Arabic-Indic one: not ASCII
)  # fmt: skip
def test_an_event_type_sent_as_text(sent: str, expected: int | None) -> None:
    events = examples.applications()["Applications"][0]["ApplicationEvents"]
    found = application(ApplicationEvents=[{**events[0], "Type": sent}])
    (event,) = events_in_order(found)
    assert event.type_ == sent  # kept as it came
    kind = event_type(event)
    assert kind == expected
    if kind is not None and expected == 77:
        assert not kind.is_documented
        assert kind.label == events[0]["Name"]
