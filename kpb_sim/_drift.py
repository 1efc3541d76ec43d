"""Drift modes: the simulator departs from the contract in one named way.

They measure whether a contract check notices a change in the real service. Breaking
modes violate what the PDF states; the compatible ones do what an ASP.NET Web API 2
service with Json.NET plausibly does where the PDF is silent (nulls, a ``MessageDetail``,
the first of repeated parameters, an undocumented code, an extra member, event types as
strings) and must be reported as contradicted or confirmed assumptions, never as
failures.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["DRIFT_MODES", "DriftMode", "drift_mode"]

# Records of one service: the list under "MedicalCertificates" or "Applications".
_Records = list[dict[str, Any]]
_Transform = Callable[[str, _Records], _Records]

UNDOCUMENTED_EXAM_STATUS = {"Code": 77, "Name": "Prøve flyttet"}
ADDED_FIELD = "CaseReference"


@dataclass(frozen=True)
class DriftMode:
    """One way of departing from the contract."""

    name: str
    description: str
    #: Whether the change violates the specification (a contract check must fail).
    breaking: bool
    #: Rewrites each service's records; None for modes that change behaviour instead.
    transform: _Transform | None = None

    def apply(self, service: str, records: _Records) -> _Records:
        """The records as this mode serves them (a copy; the input is not changed)."""
        if self.transform is None:
            return records
        return self.transform(service, copy.deepcopy(records))


def _walk(value: object, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(value, dict):
        visit(value)
        for item in value.values():
            _walk(item, visit)
    elif isinstance(value, list):
        for item in value:
            _walk(item, visit)


def _missing_field(service: str, records: _Records) -> _Records:
    status = "Status" if service == "MedicalCertificate" else "ApplicationStatus"
    for record in records:
        del record[status]
    return records


def _wrong_type(service: str, records: _Records) -> _Records:
    def visit(obj: dict[str, Any]) -> None:
        if isinstance(obj.get("Code"), int) and "Name" in obj:
            obj["Code"] = str(obj["Code"])

    _walk(records, visit)
    return records


_TIMESTAMP_MEMBERS = ("IssueDate", "ReceiveDate", "ExpireDate", "ExamDate", "CreatedDate")
_DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def _with_offset(timestamp: str) -> str:
    local = dt.datetime.fromisoformat(timestamp[:19]).replace(tzinfo=_DANISH_TIME)
    offset = local.isoformat()[19:]
    return timestamp + offset


def _timestamp_format(service: str, records: _Records) -> _Records:
    def visit(obj: dict[str, Any]) -> None:
        for member in _TIMESTAMP_MEMBERS:
            if isinstance(obj.get(member), str):
                obj[member] = _with_offset(obj[member])

    _walk(records, visit)
    return records


def _undocumented_code(service: str, records: _Records) -> _Records:
    for record in records:
        for exam in record.get("ApplicationExams", []):
            exam["ExamStatus"] = dict(UNDOCUMENTED_EXAM_STATUS)
    return records


def _nulls(service: str, records: _Records) -> _Records:
    # What Json.NET writes for a reference that has no value: null, not "" or [].
    def visit(obj: dict[str, Any]) -> None:
        if obj.get("ExamTypeName") == "":
            obj["ExamTypeName"] = None
        if "CreatedDate" in obj and "User" in obj:
            obj["User"] = None  # as for an event set by the system itself
        for member in ("ApplicationExams", "ApplicationEvents", "MedicalCertificateGroups"):
            if obj.get(member) == []:
                obj[member] = None

    _walk(records, visit)
    return records


def _event_type_string(service: str, records: _Records) -> _Records:
    def visit(obj: dict[str, Any]) -> None:
        if "CreatedDate" in obj and isinstance(obj.get("Type"), int):
            obj["Type"] = str(obj["Type"])

    _walk(records, visit)
    return records


def _added_field(service: str, records: _Records) -> _Records:
    for number, record in enumerate(records, start=1):
        record[ADDED_FIELD] = f"KPB-2018-{number:06d}"
    return records


_MODES = (
    DriftMode(
        "missing-field",
        "every medical certificate lacks its required 'Status' and every application "
        "its required 'ApplicationStatus'",
        breaking=True,
        transform=_missing_field,
    ),
    DriftMode(
        "wrong-type",
        'every status \'Code\' is sent as a string ("Code": "2") instead of an integer',
        breaking=True,
        transform=_wrong_type,
    ),
    DriftMode(
        "timestamp-format",
        "every timestamp carries a UTC offset (2018-05-25T10:06:46.5471929+02:00), "
        "which KpbDateTime does not allow",
        breaking=True,
        transform=_timestamp_format,
    ),
    DriftMode(
        "no-cert-required",
        "the data services answer without checking the client certificate "
        "(no certificate gives 200 and data)",
        breaking=True,
    ),
    DriftMode(
        "plain-http-served",
        "the plain-HTTP port serves the API, as if without a certificate, "
        "instead of answering 403 HTTPS Required",
        breaking=True,
    ),
    DriftMode(
        "html-errors",
        'every error answer is an HTML page (text/html) instead of a JSON {"Message": ...} body',
        breaking=True,
    ),
    DriftMode(
        "500-on-malformed-cpr",
        "a malformed or repeated 'cpr' gives 500 An error has occurred. instead of 400",
        breaking=True,
    ),
    DriftMode(
        "undocumented-code",
        "every exam status is the undocumented ExamStatus code 77 'Prøve flyttet' (allowed: D4)",
        breaking=False,
        transform=_undocumented_code,
    ),
    DriftMode(
        "added-field",
        f"every medical certificate and application carries an extra member "
        f"'{ADDED_FIELD}' (allowed: D23)",
        breaking=False,
        transform=_added_field,
    ),
    DriftMode(
        "nulls",
        "Json.NET's nulls: an empty ExamTypeName, every event's User and every empty list "
        "are null (allowed: D22)",
        breaking=False,
        transform=_nulls,
    ),
    DriftMode(
        "message-detail",
        "a 404 carries ASP.NET's MessageDetail beside its Message (allowed: D18)",
        breaking=False,
    ),
    DriftMode(
        "first-cpr-wins",
        "a repeated 'cpr' answers with the first value's data, as Web API 2's model "
        "binding does, instead of 400 (allowed: D14 is an assumption)",
        breaking=False,
    ),
    DriftMode(
        "text-json",
        "every JSON answer says Content-Type text/json, the other media type of Web API 2's "
        "JSON formatter (allowed: D24)",
        breaking=False,
    ),
    DriftMode(
        "event-type-string",
        'every event\'s Type is sent as a string ("Type": "1"), as the PDF\'s table types '
        "it (allowed: D3)",
        breaking=False,
        transform=_event_type_string,
    ),
)

#: Every drift mode by name, in a stable order.
DRIFT_MODES: Mapping[str, DriftMode] = MappingProxyType({mode.name: mode for mode in _MODES})


def drift_mode(name: str | DriftMode | None) -> DriftMode | None:
    """The drift mode called ``name``; ``None`` for the faithful simulator."""
    if name is None or isinstance(name, DriftMode):
        return name
    try:
        return DRIFT_MODES[name]
    except KeyError:
        known = ", ".join(DRIFT_MODES)
        raise ValueError(f"unknown drift mode {name!r}; choose one of: {known}") from None
