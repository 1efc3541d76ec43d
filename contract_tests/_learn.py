"""What a recording of a real KPB teaches: ``kpb spec learn FILE.har``.

The simulator and the spec come from the same reading of the PDF, so only a real KPB can
contradict them. A team with access records ``kpb contract`` against the test
environment (``exchanges.har``); this reads the recording and says, by DISCREPANCIES.md
entry, which of the spec's assumptions the service confirmed, contradicted or never
showed, and, by test person, where the simulator's Bilag A data differs from what the
service answered. Its last section is a list of changes to make: the entries to revise,
and the values the simulator's data should take.

The same judgements as ``kpb contract`` make (``_assumptions``), applied to exchanges
that were recorded instead of sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from ._answers import json_body
from ._assumptions import (
    Reference,
    answer_assumptions,
    bad_cpr_assumption,
    data_route,
    method_assumption,
    not_found_assumption,
    spelling_assumption,
)
from ._discrepancies import entry
from ._findings import Assumption, Findings
from ._recording import Recording, read_recording
from ._spec import schema_error
from ._summary import assumptions_section, report_text
from ._transport import Exchange

__all__ = ["Lesson", "PersonDifference", "learn", "render_lesson"]

# The certificate whose answers are the service's data: the user's own.
_GIVEN: Final = "the given certificate"
_MEMBERS: Final = {"/MedicalCertificate": "MedicalCertificates", "/Application": "Applications"}
_ABSENT: Final = object()


@dataclass(frozen=True)
class PersonDifference:
    """One value where the simulator's data and the recorded answer differ."""

    person: str
    cpr: str
    #: ``/Application`` or ``/MedicalCertificate``.
    route: str
    #: Where, in wire names, for example ``Applications[1].ApplicationStatus.Code``.
    path: str
    simulator: object
    recorded: object

    def line(self) -> str:
        return f"{self.path}: simulator {_show(self.simulator)}, recorded {_show(self.recorded)}"


@dataclass
class Lesson:
    """What one or more recordings showed."""

    sources: list[str] = field(default_factory=list)
    base_urls: set[str] = field(default_factory=set)
    exchanges: int = 0
    findings: Findings = field(default_factory=Findings)
    #: (person label, cpr, route) -> the differences; absent when not recorded.
    persons: dict[tuple[str, str, str], list[PersonDifference]] = field(default_factory=dict)
    #: (person label, cpr, route) of the simulator's data that the recordings never asked.
    unrecorded: list[tuple[str, str, str]] = field(default_factory=list)
    #: (person label, cpr, route) -> why the recorded answer does not conform to the spec:
    #: its values are violations to report, not data for the simulator to copy.
    nonconforming: dict[tuple[str, str, str], str] = field(default_factory=dict)


def learn(recordings: Sequence[Path], *, persons: Path | None = None) -> Lesson:
    """Read *recordings* (HAR files) and hold them against the spec's assumptions and the
    simulator's data (*persons*, by default Bilag A). Raises RecordingError for a file
    that is not a recording, and kpb_sim's DataError for a data file it cannot read."""
    from kpb_sim import load_persons

    lesson = Lesson()
    answers: dict[tuple[str, str], Exchange] = {}
    for path in recordings:
        recording = read_recording(path)
        lesson.sources.append(str(path))
        lesson.base_urls.add(recording.base_url)
        lesson.exchanges += len(recording.exchanges)
        answers.update(_reference_answers(recording))
        for assumption in _assumptions(recording, answers):
            lesson.findings.add_assumption(assumption)

    for person in load_persons(persons).values():
        for route, member in _MEMBERS.items():
            key = (person.label, person.cpr, route)
            recorded = answers.get((route, person.cpr))
            body = json_body(recorded) if recorded is not None else None
            if not isinstance(body, dict):
                lesson.unrecorded.append(key)
                continue
            records = (
                person.medical_certificates
                if member == "MedicalCertificates"
                else (person.applications)
            )
            error = schema_error(route, body)
            if error is not None:
                lesson.nonconforming[key] = error
            lesson.persons[key] = [
                PersonDifference(person.label, person.cpr, route, where, ours, theirs)
                for where, ours, theirs in _differences({member: records}, body, "")
            ]
    return lesson


def _reference_answers(recording: Recording) -> dict[tuple[str, str], Exchange]:
    """(route, cpr) -> the recorded 200 answer to that route with that one cpr, spelt as
    the spec spells both, for the given certificate."""
    found: dict[tuple[str, str], Exchange] = {}
    for exchange in recording.exchanges:
        route = data_route(exchange, recording.base_url)
        if route is None or exchange.status != 200 or exchange.identity != _GIVEN:
            continue
        parts = urlsplit(exchange.url)
        query = parts.query.split("&") if parts.query else []
        if parts.path.endswith(route) and len(query) == 1 and query[0].startswith("cpr="):
            found.setdefault((route, query[0].removeprefix("cpr=")), exchange)
    return found


def _assumptions(
    recording: Recording, answers: dict[tuple[str, str], Exchange]
) -> Iterator[Assumption]:
    def reference(route: str, cpr: str) -> Exchange | None:
        return answers.get((route, cpr))

    lookup: Reference = reference
    base = recording.base_url
    for exchange in recording.exchanges:
        yield from answer_assumptions(exchange, base)
        if exchange.identity != _GIVEN:
            continue  # other certificates get 401s before anything else is shown
        route = data_route(exchange, base)
        if route is None:
            if exchange.method == "GET" and exchange.status == 404:
                tried = urlsplit(exchange.url).path[len(urlsplit(base).path) :]
                yield from _some(not_found_assumption(exchange, tried))
            continue
        if exchange.method != "GET":
            yield from _some(method_assumption(exchange, route))
            continue
        bad = bad_cpr_assumption(exchange, route, lookup)
        if bad is not None:
            yield bad
            continue
        spelling = _spelling(exchange, route)
        cpr = next(iter(_cprs(exchange)), "")
        canonical = answers.get((route, cpr))
        if spelling and canonical is not None:
            yield from _some(spelling_assumption(exchange, canonical, spelling))


def _some(assumption: Assumption | None) -> Iterable[Assumption]:
    return () if assumption is None else (assumption,)


def _cprs(exchange: Exchange) -> list[str]:
    query = urlsplit(exchange.url).query
    pairs = [pair.partition("=") for pair in query.split("&") if pair]
    return [value for name, _, value in pairs if name.lower() == "cpr"]


def _spelling(exchange: Exchange, route: str) -> str:
    """How a request with one cpr and nothing else spells the route or the parameter
    other than the spec does; "" if it does not, or asks more than that."""
    parts = urlsplit(exchange.url)
    names = [pair.partition("=")[0] for pair in parts.query.split("&") if pair]
    if len(names) != 1 or names[0].lower() != "cpr":
        return ""
    if not parts.path.endswith(route):
        return f"route in another letter case ({parts.path.rsplit('/', 1)[-1]}?cpr=…)"
    if names[0] != "cpr":
        return f"parameter in another letter case ({route}?{names[0]}=…)"
    return ""


def _differences(ours: Any, theirs: Any, path: str) -> Iterator[tuple[str, object, object]]:
    """Where two JSON values differ, in wire names, as (path, ours, theirs)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in dict.fromkeys([*ours, *theirs]):
            yield from _differences(
                ours.get(key, _ABSENT), theirs.get(key, _ABSENT), f"{path}.{key}"
            )
    elif isinstance(ours, list) and isinstance(theirs, list):
        for index in range(max(len(ours), len(theirs))):
            yield from _differences(
                ours[index] if index < len(ours) else _ABSENT,
                theirs[index] if index < len(theirs) else _ABSENT,
                f"{path}[{index}]",
            )
    elif ours != theirs or type(ours) is not type(theirs):
        yield path.lstrip("."), ours, theirs


def _show(value: object) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= 120 else text[:119] + "…"


# -- the report ---------------------------------------------------------------------------


def render_lesson(lesson: Lesson, *, persons_file: str = "kpb_sim/data/bilag_a.yaml") -> str:
    lines: list[str] = []
    add = lines.append
    plural = "" if len(lesson.sources) == 1 else "s"
    add(
        f"kpb spec learn: {len(lesson.sources)} recording{plural}, {lesson.exchanges} "
        f"exchanges with {', '.join(sorted(lesson.base_urls))}"
    )
    assumptions_section(
        lines, lesson.findings, "What the recording shows about the spec's assumptions"
    )

    lines += ["", f"What the recording shows about the test persons ({persons_file})"]
    for (label, cpr, route), differences in lesson.persons.items():
        where = f"  {label} ({cpr}) GET {route}"
        if not differences:
            add(f"{where}: as the simulator serves it")
            continue
        error = lesson.nonconforming.get((label, cpr, route))
        against = f", and it does not conform to the spec ({error})" if error else ""
        add(f"{where}: {len(differences)} differences{against}")
        lines += [f"    - {difference.line()}" for difference in differences[:20]]
        if len(differences) > 20:
            add(f"    - … and {len(differences) - 20} more")
    for label, cpr, route in lesson.unrecorded:
        add(f"  {label} ({cpr}) GET {route}: not in the recording")

    lines += ["", "Changes to make"]
    changes = _changes(lesson, persons_file)
    lines += [f"  {number}. {change}" for number, change in enumerate(changes, 1)] or [
        "  none: the recording confirms what the spec and the simulator assume"
    ]
    return report_text(lines)


def _changes(lesson: Lesson, persons_file: str) -> list[str]:
    changes = []
    contradicted = [a for a in lesson.findings.assumptions.values() if a.verdict == "contradicted"]
    for entry_id in dict.fromkeys(a.entry for a in contradicted):
        first = next(a for a in contradicted if a.entry == entry_id)
        changes.append(
            f"spec/DISCREPANCIES.md {entry(entry_id)}: revise the decision; the service "
            f"answered {first.subject}: {first.observed}"
        )
    for key, differences in lesson.persons.items():
        error = lesson.nonconforming.get(key)
        if error is not None:
            label, cpr, route = key
            changes.append(
                f"none to {persons_file} from {label} (cpr {cpr}) GET {route}: the answer "
                f"does not conform to the spec ({error}); kpb contract reports it as a "
                "violation for KPB support"
            )
            continue
        for difference in differences:
            changes.append(
                f"{persons_file}, {difference.person} (cpr {difference.cpr}), "
                f"{difference.path}: {_show(difference.simulator)} -> "
                f"{_show(difference.recorded)}"
            )
    return changes
