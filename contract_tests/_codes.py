"""Status and event codes outside the documented sets: drift, not a violation (D4).

The spec declares every ``Code`` (and an event's ``Type``) an open enum: the documented
set of Bilag B or any other integer. A response with another code conforms, but the code
is news: the suite reports it under D4 among the spec assumptions, with the ``Name``
that came with it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._spec import load_spec

__all__ = ["UndocumentedCode", "documented_codes", "undocumented_codes"]


@dataclass(frozen=True, order=True)
class UndocumentedCode:
    """A code KPB sent that Bilag B does not list."""

    kind: str
    code: int
    name: str
    operation: str
    cpr: str

    def __str__(self) -> str:
        return (
            f"{self.operation} cpr={self.cpr}: undocumented {self.kind} code {self.code} "
            f"{self.name!r}"
        )


# kind -> schema of the documented set
_KINDS = {
    "medical certificate status": "MedicalCertificateStatusCode",
    "application status": "ApplicationStatusCode",
    "exam status": "ExamStatusCode",
    "application event type": "ApplicationEventType",
}


@functools.cache
def documented_codes() -> Mapping[str, Mapping[int, str]]:
    """kind -> {code: documented name}, from the spec's ``x-kpb-codes``."""
    schemas = load_spec()["components"]["schemas"]
    return {
        kind: {entry["code"]: entry["name"] for entry in schemas[name]["x-kpb-codes"]}
        for kind, name in _KINDS.items()
    }


def undocumented_codes(route: str, cpr: str, body: Any) -> list[UndocumentedCode]:
    """Every code in a 200 answer of ``/MedicalCertificate`` or ``/Application`` that the
    spec does not document. Anything not shaped as the spec says is left to the schema
    checks."""
    operation = f"GET {route}"
    documented = documented_codes()
    return [
        UndocumentedCode(kind, code, name, operation, cpr)
        for kind, code, name in _codes(route, body)
        if code not in documented[kind]
    ]


def _codes(route: str, body: Any) -> Iterator[tuple[str, int, str]]:
    if not isinstance(body, dict):
        return
    if route.lower() == "/medicalcertificate":
        for certificate in _objects(body.get("MedicalCertificates")):
            yield from _code("medical certificate status", certificate.get("Status"), "Code")
    elif route.lower() == "/application":
        for application in _objects(body.get("Applications")):
            yield from _code("application status", application.get("ApplicationStatus"), "Code")
            for exam in _objects(application.get("ApplicationExams")):
                yield from _code("exam status", exam.get("ExamStatus"), "Code")
            for event in _objects(application.get("ApplicationEvents")):
                yield from _code("application event type", event, "Type")


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _code(kind: str, holder: Any, member: str) -> Iterator[tuple[str, int, str]]:
    if not isinstance(holder, dict):
        return
    code = holder.get(member)
    # bool is an int in Python, not in JSON
    if isinstance(code, int) and not isinstance(code, bool):
        name = holder.get("Name")
        yield kind, code, name if isinstance(name, str) else repr(name)
