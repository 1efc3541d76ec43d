"""What a consumer's report must say about an answer, derived from the JSON and the spec.

A consumer (spec/consumers/) prints one JSON line per answer: ``body``, the answer as its
generated models wrote it back, and ``codes``, each status code and event type as its
generated types hold it: ``"Enum.MEMBER"`` for a documented code, the number itself for
any other, ``"text:..."`` for an event type sent as a string (D3).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

# (report field, schema holding the code, wire member)
_CODE_FIELDS = {
    "MedicalCertificateStatus.Code": ("MedicalCertificateStatus", "Code"),
    "ApplicationStatus.Code": ("ApplicationStatus", "Code"),
    "ExamStatus.Code": ("ExamStatus", "Code"),
    "ApplicationEvent.Type": ("ApplicationEvent", "Type"),
}


def _ref_name(schema: Mapping[str, Any]) -> str:
    return str(schema["$ref"]).rsplit("/", 1)[-1]


def documented_members(spec: Mapping[str, Any], field: str) -> tuple[str, dict[int, str]]:
    """The enum a field's documented codes belong to, and its members by code, from the spec:
    the field refers to an open code set, whose first branch is the documented enum."""
    schemas = spec["components"]["schemas"]
    owner, member = _CODE_FIELDS[field]
    open_set = schemas[_ref_name(schemas[owner]["properties"][member])]
    enum_name = _ref_name(open_set["anyOf"][0])
    enum = schemas[enum_name]
    return enum_name, dict(zip(enum["enum"], enum["x-enum-varnames"], strict=True))


def typed(spec: Mapping[str, Any], field: str, value: Any) -> Any:
    if isinstance(value, str):
        return f"text:{value}"
    enum_name, members = documented_members(spec, field)
    return f"{enum_name}.{members[value]}" if value in members else value


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []  # null reads as none (D22)


def _codes(operation: str, body: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    if operation == "medical-certificates":
        for certificate in _items(body.get("MedicalCertificates")):
            if certificate.get("Status") is not None:
                yield "MedicalCertificateStatus.Code", certificate["Status"]["Code"]
        return
    for application in _items(body.get("Applications")):
        if application.get("ApplicationStatus") is not None:
            yield "ApplicationStatus.Code", application["ApplicationStatus"]["Code"]
        for exam in _items(application.get("ApplicationExams")):
            if exam.get("ExamStatus") is not None:
                yield "ExamStatus.Code", exam["ExamStatus"]["Code"]
        for event in _items(application.get("ApplicationEvents")):
            yield "ApplicationEvent.Type", event["Type"]


def expected_codes(spec: Mapping[str, Any], operation: str, body: Mapping[str, Any]) -> list[Any]:
    return [[field, typed(spec, field, value)] for field, value in _codes(operation, body)]


def without_nulls(value: Any) -> Any:
    """Some generated serializers leave out members whose value is null; compare without."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def report_problems(
    spec: Mapping[str, Any], operation: str, line: Mapping[str, Any], body: Mapping[str, Any]
) -> list[str]:
    """How a consumer's line about ``body`` (an answer to ``operation``) is wrong; [] if not."""
    problems = []
    if line.get("codes") != expected_codes(spec, operation, body):
        problems.append(
            f"codes typed {line.get('codes')}, expected {expected_codes(spec, operation, body)}"
        )
    if without_nulls(line.get("body")) != without_nulls(body):
        problems.append(f"written back as {line.get('body')}, not as received: {body}")
    if operation == "applications":
        locations = [
            exam.get("ExamLocation")
            for application in _items(body.get("Applications"))
            for exam in _items(application.get("ApplicationExams"))
        ]
        if line.get("examLocations") != locations:
            problems.append(f"exam locations {line.get('examLocations')}, expected {locations}")
    return problems
