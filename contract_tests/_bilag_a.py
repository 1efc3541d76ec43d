"""Bilag A: what the documentation says about each of the seven test persons.

This is the suite's own reading of Bilag A, written down independently of the
simulator's data, so that a misreading in one shows up against the other. Only what
Bilag A states is checked: where it gives a date without a time, the date; where it
names a status without a code, the name. Dates are written in wire form (D21).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PERSONS",
    "ExpectedApplication",
    "ExpectedExam",
    "ExpectedMedicalCertificate",
    "Person",
    "application_mismatches",
    "medical_certificate_mismatches",
]

_CITIZEN_SERVICE = "Borgerservice, Københavns kommune"
_INSTRUCTOR = "Kørelærer 1, Køreskole 1"
_EXAMINER = "Sagkyndig, Østjyllands Politi"

# Documented (Bilag B) codes of the statuses Bilag A names; a name Bilag B does not list
# ("Prøve bestilt", "Klar til bestilling") is checked by name only.
_STATUS_CODES = {
    "medical certificate": {"Modtaget": 1, "Godkendt": 2},
    "application": {"Afventer behandling": 1, "Godkendt ansøgning": 2, "Under viderebehandling": 4},
    "exam": {"Bestilt": 1, "Bestået": 2, "Erhverv ej bestået": 9},
}


@dataclass(frozen=True)
class ExpectedMedicalCertificate:
    groups: frozenset[str]
    status: str
    issued: str
    received: str
    expires: str


@dataclass(frozen=True)
class ExpectedExam:
    #: The start of ``ExamDate``: a date, or a date and a time without seconds.
    when: str | None = None
    status: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class ExpectedApplication:
    category: str
    exam_type: str
    status: str
    exams: tuple[ExpectedExam, ...] | None = None
    #: (event name, user, CreatedDate); ``None`` where Bilag A gives no history.
    events: tuple[tuple[str, str, str], ...] | None = None


@dataclass(frozen=True)
class Person:
    label: str
    cpr: str
    medical_certificates: tuple[ExpectedMedicalCertificate, ...]
    applications: tuple[ExpectedApplication, ...] = field(default=())

    @property
    def formatted_cpr(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}"


def _history(*events: tuple[str, str, str]) -> tuple[tuple[str, str, str], ...]:
    return events


_ELEV_5_HISTORY = _history(
    ("Prøveforløb oprettet", _CITIZEN_SERVICE, "2018-05-25T10:11:16.376613"),
    ("Kontant betaling modtaget", _CITIZEN_SERVICE, "2018-05-25T10:11:16.376613"),
    ("Prøveforløb sendt til viderebehandling", _CITIZEN_SERVICE, "2018-05-25T10:11:40.0719738"),
    ("Kørelærer tilknyttet prøveforløb", _INSTRUCTOR, "2018-05-25T10:36:38.1559189"),
)

PERSONS: tuple[Person, ...] = (
    Person(
        "Elev 1",
        "0702614074",
        (
            ExpectedMedicalCertificate(
                frozenset({"Gruppe 1"}),
                "Godkendt",
                "2018-05-01",
                "2018-05-16",
                "2019-08-01",
            ),
        ),
        (
            ExpectedApplication(
                "AM (lille knallert)",
                "1. gangserhvervelse",
                "Prøve bestilt",
                exams=(ExpectedExam(location="Prøvested 1"),),
                events=_history(
                    ("Prøveforløb oprettet", _CITIZEN_SERVICE, "2018-05-25T10:06:46.5471929"),
                    ("Kontant betaling modtaget", _CITIZEN_SERVICE, "2018-05-25T10:06:46.5481979"),
                    ("Prøveforløb godkendt", _CITIZEN_SERVICE, "2018-05-25T10:07:04.9841853"),
                    ("Lægeerklæring oprettet", _CITIZEN_SERVICE, "2018-05-25T10:08:11.3614738"),
                    (
                        "Kørelærer tilknyttet prøveforløb",
                        _INSTRUCTOR,
                        "2018-05-25T10:33:17.3257339",
                    ),
                    ("Teoriprøve bestilt", _INSTRUCTOR, "2018-05-25T10:33:49.2673389"),
                ),
            ),
            ExpectedApplication(
                "AM (stor knallert)",
                "1. gangserhvervelse",
                "Klar til bestilling",
                events=_history(
                    ("Prøveforløb oprettet", _CITIZEN_SERVICE, "2018-05-25T10:07:37.6402923"),
                    ("Kontant betaling modtaget", _CITIZEN_SERVICE, "2018-05-25T10:07:37.6402923"),
                    ("Lægeerklæring oprettet", _CITIZEN_SERVICE, "2018-05-25T10:08:11.3624894"),
                    ("Prøveforløb godkendt", _CITIZEN_SERVICE, "2018-05-25T10:08:26.6918067"),
                    (
                        "Kørelærer tilknyttet prøveforløb",
                        _INSTRUCTOR,
                        "2018-05-25T10:33:20.4368044",
                    ),
                ),
            ),
            ExpectedApplication("A1", "1. gangserhvervelse", "Afventer behandling"),
        ),
    ),
    Person(
        "Elev 2",
        "0107529039",
        (
            ExpectedMedicalCertificate(
                frozenset({"Gruppe 1", "Gruppe 2"}),
                "Modtaget",
                "2018-05-17",
                "2018-05-25",
                "2019-08-17",
            ),
        ),
        (
            ExpectedApplication(
                "A1",
                "1. gangserhvervelse",
                "Afventer behandling",
                events=_history(
                    ("Prøveforløb oprettet", _CITIZEN_SERVICE, "2018-05-25T10:08:52.4475196"),
                    ("Lægeerklæring oprettet", _CITIZEN_SERVICE, "2018-05-25T10:09:07.5875647"),
                    (
                        "Kørelærer tilknyttet prøveforløb",
                        _INSTRUCTOR,
                        "2018-05-25T10:34:01.5382334",
                    ),
                ),
            ),
        ),
    ),
    Person(
        "Elev 3",
        "0701614038",
        (
            ExpectedMedicalCertificate(
                frozenset({"Gruppe 1"}),
                "Godkendt",
                "2018-05-24",
                "2018-05-25",
                "2019-08-24",
            ),
        ),
        (
            ExpectedApplication(
                "A",
                "1. gangserhvervelse",
                "Prøve bestilt",
                exams=(
                    ExpectedExam(when="2018-05-25T11:00", status="Bestået"),
                    ExpectedExam(when="2018-05-31", status="Bestilt"),
                ),
                events=_history(
                    ("Prøveforløb oprettet", _CITIZEN_SERVICE, "2018-05-25T10:09:34.3426296"),
                    ("Kontant betaling modtaget", _CITIZEN_SERVICE, "2018-05-25T10:09:34.3426296"),
                    ("Lægeerklæring oprettet", _CITIZEN_SERVICE, "2018-05-25T10:09:52.1855696"),
                    ("Prøveforløb godkendt", _CITIZEN_SERVICE, "2018-05-25T10:10:02.3949104"),
                    (
                        "Kørelærer tilknyttet prøveforløb",
                        _INSTRUCTOR,
                        "2018-05-25T10:34:12.0999776",
                    ),
                    ("Teoriprøve bestilt", _INSTRUCTOR, "2018-05-25T10:36:07.409073"),
                    ("Teoriprøve bestået", _EXAMINER, "2018-05-25T11:37:56.8431813"),
                    ("Praktisk prøve bestilt", _INSTRUCTOR, "2018-05-25T11:54:13.8922148"),
                ),
            ),
        ),
    ),
    Person(
        "Elev 4",
        "0709614401",
        (
            ExpectedMedicalCertificate(
                frozenset({"Gruppe 1"}),
                "Godkendt",
                "2018-05-25",
                "2018-05-25",
                "2019-08-25",
            ),
        ),
        (
            ExpectedApplication(
                "B",
                "1. gangserhvervelse",
                "Godkendt ansøgning",
                exams=(ExpectedExam(when="2018-05-25T12:30", status="Bestilt"),),
                events=_history(
                    ("Prøveforløb oprettet", _CITIZEN_SERVICE, "2018-05-25T10:10:23.9788821"),
                    ("Kontant betaling modtaget", _CITIZEN_SERVICE, "2018-05-25T10:10:23.9788821"),
                    ("Lægeerklæring oprettet", _CITIZEN_SERVICE, "2018-05-25T10:10:45.3656221"),
                    ("Prøveforløb godkendt", _CITIZEN_SERVICE, "2018-05-25T10:10:55.2547754"),
                    (
                        "Kørelærer tilknyttet prøveforløb",
                        _INSTRUCTOR,
                        "2018-05-25T10:36:20.9352041",
                    ),
                    ("Praktisk prøve bestilt", _INSTRUCTOR, "2018-05-25T10:36:27.6687764"),
                ),
            ),
        ),
    ),
    Person(
        "Elev 5",
        "0707614293",
        (),
        (
            ExpectedApplication(
                "C",
                "§ 94 stk. 1",
                "Under viderebehandling",
                events=_ELEV_5_HISTORY,
            ),
        ),
    ),
    Person(
        "Elev 6",
        "0707614285",
        (
            ExpectedMedicalCertificate(
                frozenset({"Gruppe 1", "Gruppe 2"}),
                "Godkendt",
                "2018-05-01",
                "2018-05-23",
                "2019-08-01",
            ),
        ),
        (
            # Bilag A gives Elev 6 the history of Elev 5, word for word and to the
            # tick; it is checked as printed.
            ExpectedApplication(
                "D og D-ep",
                "§ 103 stk. 1",
                "Godkendt ansøgning",
                exams=(ExpectedExam(when="2018-05-25T11:00", status="Erhverv ej bestået"),),
                events=_ELEV_5_HISTORY,
            ),
        ),
    ),
    Person(
        "Elev 7",
        "0706614184",
        (
            ExpectedMedicalCertificate(
                frozenset({"Gruppe 1"}),
                "Godkendt",
                "2018-05-09",
                "2018-05-25",
                "2019-08-09",
            ),
        ),
        (
            ExpectedApplication(
                "B",
                "1. gangserhvervelse",
                "Godkendt ansøgning",
                exams=(),
                events=_history(
                    ("Prøveforløb oprettet", _CITIZEN_SERVICE, "2018-05-15T12:14:09.7565997"),
                    ("Lægeerklæring oprettet", _CITIZEN_SERVICE, "2018-05-25T10:13:01.0675052"),
                    ("Prøveforløb godkendt", _CITIZEN_SERVICE, "2018-05-25T10:13:12.7811322"),
                    ("Kørelærer tilknyttet prøveforløb", _INSTRUCTOR, "2018-05-25T10:37:06.157383"),
                ),
            ),
        ),
    ),
)


def medical_certificate_mismatches(person: Person, body: Any) -> list[str]:
    """How the answer of ``GET /MedicalCertificate`` differs from Bilag A."""
    records = _records(body, "MedicalCertificates")
    if records is None:
        return ["the answer has no MedicalCertificates list"]
    expected = person.medical_certificates
    if len(records) != len(expected):
        return [f"{len(records)} medical certificates, Bilag A lists {len(expected)}"]
    problems: list[str] = []
    for index, (record, want) in enumerate(zip(records, expected, strict=True), start=1):
        where = f"medical certificate {index}"
        groups = {g.get("Name") for g in _list(record.get("MedicalCertificateGroups"))}
        if groups != set(want.groups):
            problems.append(
                f"{where}: groups {sorted(map(str, groups))}, Bilag A {sorted(want.groups)}"
            )
        problems += _status(where, "medical certificate", record.get("Status"), want.status)
        for member, date in (
            ("IssueDate", want.issued),
            ("ReceiveDate", want.received),
            ("ExpireDate", want.expires),
        ):
            problems += _starts(where, member, record.get(member), date)
    return problems


def application_mismatches(person: Person, body: Any) -> list[str]:
    """How the answer of ``GET /Application`` differs from Bilag A."""
    records = _records(body, "Applications")
    if records is None:
        return ["the answer has no Applications list"]
    problems: list[str] = []
    if len(records) != len(person.applications):
        problems.append(f"{len(records)} applications, Bilag A lists {len(person.applications)}")
    by_category = {r.get("LicenseCategoryCode"): r for r in records}
    for want in person.applications:
        record = by_category.get(want.category)
        where = f"application {want.category}"
        if record is None:
            problems.append(f"no application with LicenseCategoryCode {want.category!r}")
            continue
        problems += _application(where, record, want)
    return problems


def _application(where: str, record: Mapping[str, Any], want: ExpectedApplication) -> list[str]:
    problems: list[str] = []
    # D5: KPB puts the exam type's text in ExamTypeCode; either member is accepted.
    if want.exam_type not in (record.get("ExamTypeCode"), record.get("ExamTypeName")):
        problems.append(
            f"{where}: exam type {record.get('ExamTypeCode')!r}, Bilag A {want.exam_type!r}"
        )
    problems += _status(where, "application", record.get("ApplicationStatus"), want.status)
    if want.exams is not None:
        problems += _exams(where, _list(record.get("ApplicationExams")), want.exams)
    if want.events is not None:
        seen = sorted(
            (str(e.get("Name")), str(e.get("User")), str(e.get("CreatedDate")))
            for e in _list(record.get("ApplicationEvents"))
        )
        expected = sorted(want.events)
        if seen != expected:
            missing = [e for e in expected if e not in seen]
            extra = [e for e in seen if e not in expected]
            problems.append(
                f"{where}: history differs; missing {_events(missing)}, "
                f"not in Bilag A {_events(extra)}"
            )
    return problems


def _exams(where: str, exams: list[dict[str, Any]], wanted: tuple[ExpectedExam, ...]) -> list[str]:
    if len(exams) != len(wanted):
        return [f"{where}: {len(exams)} exams, Bilag A lists {len(wanted)}"]
    problems: list[str] = []
    remaining = list(exams)
    for want in wanted:
        match = next((exam for exam in remaining if _exam_matches(exam, want)), None)
        if match is None:
            problems.append(
                f"{where}: no exam {_describe_exam(want)}; got {_describe_exams(exams)}"
            )
        else:
            remaining.remove(match)
    return problems


def _exam_matches(exam: Mapping[str, Any], want: ExpectedExam) -> bool:
    if want.when is not None and not str(exam.get("ExamDate", "")).startswith(want.when):
        return False
    if want.location is not None and exam.get("ExamLocation") != want.location:
        return False
    if want.status is not None:
        return not _status("", "exam", exam.get("ExamStatus"), want.status)
    return True


def _describe_exam(exam: ExpectedExam) -> str:
    parts = [
        f"at {exam.when}" if exam.when else "",
        f"in {exam.location}" if exam.location else "",
        f"with status {exam.status}" if exam.status else "",
    ]
    return " ".join(p for p in parts if p)


def _describe_exams(exams: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{e.get('ExamDate')} {e.get('ExamLocation')} {_name(e.get('ExamStatus'))}" for e in exams
    )


def _events(events: list[tuple[str, str, str]]) -> str:
    return "[" + "; ".join(f"{n} by {u} at {t}" for n, u, t in events) + "]"


def _status(where: str, kind: str, status: Any, name: str) -> list[str]:
    if not isinstance(status, dict):
        return [f"{where}: no {kind} status"]
    problems = []
    if status.get("Name") != name:
        problems.append(f"{where}: status {status.get('Name')!r}, Bilag A {name!r}")
    code = _STATUS_CODES[kind].get(name)
    if code is not None and status.get("Code") != code:
        problems.append(f"{where}: status code {status.get('Code')!r} for {name!r}, Bilag B {code}")
    return problems


def _name(status: Any) -> str:
    return str(status.get("Name")) if isinstance(status, dict) else "?"


def _starts(where: str, member: str, value: Any, prefix: str) -> list[str]:
    if isinstance(value, str) and value.startswith(prefix):
        return []
    return [f"{where}: {member} {value!r}, Bilag A {prefix}"]


def _records(body: Any, member: str) -> list[dict[str, Any]] | None:
    if not isinstance(body, dict) or not isinstance(body.get(member), list):
        return None
    return _list(body[member])


def _list(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]
