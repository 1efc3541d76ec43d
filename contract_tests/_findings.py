"""What a run found: violations, spec assumptions, data check results, observations.

Violations decide the result. Assumptions (DISCREPANCIES.md entries of kind
"assumption") and Bilag A data checks are reported and never decide it.
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from kpb_ext import MAX_RESPONSE_BYTES, drop_cut_number, redact

from ._codes import UndocumentedCode
from ._spec import test_cprs
from ._transport import Exchange

__all__ = [
    "SEEDLESS",
    "Assumption",
    "ContractViolation",
    "DataCheck",
    "DataCheckFailed",
    "Findings",
    "Verdict",
    "Violation",
    "curl_command",
    "describe_answer",
]

#: Where a violation can come from without depending on the seed or the fuzzing budget:
#: the suite's own checks and schemathesis's examples and coverage phases.
SEEDLESS = frozenset({"explicit", "examples", "coverage"})

# Headers every request carries; a reproduction does not need them.
_ORDINARY_HEADERS = frozenset(
    {"user-agent", "accept", "accept-encoding", "connection", "content-length", "host"}
)


def masked(text: str) -> str:
    """*text* with every CPR number masked but the seven fictitious test numbers, which
    the suite sends and reports name whole: a server that answers with anyone else's
    number must not have it copied into a report."""
    return redact(text, keep=frozenset(test_cprs()))


def _mask_fields(record: object) -> None:
    for name, value in vars(record).items():
        if isinstance(value, str):
            object.__setattr__(record, name, masked(value))
        elif isinstance(value, tuple) and all(isinstance(item, str) for item in value):
            object.__setattr__(record, name, tuple(masked(item) for item in value))


def curl_command(exchange: Exchange) -> str:
    """A curl command that sends the same request the same way (certificate placeholders)."""
    parts = ["curl", "-sS", "-i"]
    if exchange.method != "GET":
        parts += ["-X", exchange.method]
    parts += exchange.curl_args
    for name, value in exchange.request_headers.items():
        if name.lower() not in _ORDINARY_HEADERS and not name.lower().startswith("x-schemathesis"):
            parts += ["-H", f"{name}: {value}"]
    if exchange.request_body:
        parts += ["--data-binary", exchange.request_body.decode("utf-8", "replace")]
    parts.append(exchange.url)
    return masked(shlex.join(parts))


def describe_answer(exchange: Exchange, limit: int = 160) -> str:
    """``401 application/json {"Message":"Certificate required"}``, shortened."""
    if exchange.status is None:
        return f"no answer ({exchange.error})"
    content_type = exchange.content_type
    if exchange.cut:
        content_type += f" more than {MAX_RESPONSE_BYTES:,} bytes:"
    text = exchange.body[: limit * 4].decode("utf-8", "replace")
    try:
        text = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        text = " ".join(text.split())
    text = masked(text)
    if len(text) > limit:
        text = drop_cut_number(text[: limit - 1]) + "…"
    return " ".join(part for part in (str(exchange.status), content_type, text) if part)


@dataclass(frozen=True)
class Violation:
    """The target does not do what the spec says."""

    #: ``GET /Application``, or what was tried, for example ``TLS 1.1``.
    operation: str
    #: The check's name: schemathesis's, or one of the suite's own.
    check: str
    #: What the spec says should happen.
    expected: str
    #: What came back.
    actual: str
    #: A command that sends the same request.
    reproduce: str
    #: Which pytest test found it.
    test: str = ""
    #: schemathesis's phase (examples, coverage, fuzzing), or "explicit" for the suite's own.
    phase: str = "explicit"

    def __post_init__(self) -> None:
        _mask_fields(self)

    def line(self, repeats: int = 1) -> str:
        found = self.check if self.phase == "explicit" else f"{self.check}, {self.phase} phase"
        times = f" ({repeats} requests like this)" if repeats > 1 else ""
        return (
            f"{self.operation} [{found}]{times} spec: {self.expected} | got: {self.actual} "
            f"| reproduce: {self.reproduce}"
        )


class CertificateRefused(Exception):
    """Raised by a check whose request KPB refused for the given certificate (a documented
    401): what it checks could not be seen. The summary explains the refusal once."""


class ContractViolation(AssertionError):
    """Raised by the suite's own checks; carries what the summary needs."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(f"{violation.expected}; got {violation.actual}")
        self.violation = violation


Verdict = Literal["confirmed", "contradicted"]


@dataclass(frozen=True)
class Assumption:
    """What the target showed about one of the spec's assumptions (a DISCREPANCIES.md
    entry of kind "assumption"). Never a failure: it tells which entry to revise."""

    #: The entry, for example ``D14``.
    entry: str
    #: What was tried or seen, for example "a repeated cpr (cpr=A&cpr=A)".
    subject: str
    verdict: Verdict
    #: What the entry assumes, for example "400 with a {"Message"} body".
    assumed: str
    #: What the target did.
    observed: str
    #: A command that repeats the request, when one request shows it.
    reproduce: str = ""
    #: Which pytest test saw it.
    test: str = ""
    #: An undocumented code (D4), for the structured list of them.
    code: UndocumentedCode | None = None

    def __post_init__(self) -> None:
        _mask_fields(self)

    @property
    def key(self) -> tuple[str, str, str]:
        """The de-duplication key: the same entry, subject and verdict is one finding."""
        return (self.entry, self.subject, self.verdict)

    def line(self, repeats: int = 1) -> str:
        times = f" ({repeats} answers like this)" if repeats > 1 else ""
        if self.verdict == "confirmed":
            text = f"{self.subject}: {self.observed}{times}"
        else:
            text = f"{self.subject}: assumed {self.assumed}; got {self.observed}{times}"
        return f"{text} | reproduce: {self.reproduce}" if self.reproduce else text


@dataclass(frozen=True)
class DataCheck:
    """The result of one data check: a group of Bilag A facts about one test person."""

    test: str
    #: For example "Elev 1 (070261-4074) applications".
    subject: str
    passed: bool
    mismatches: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _mask_fields(self)


class DataCheckFailed(AssertionError):
    """A data check found the test data different from Bilag A."""

    def __init__(self, mismatches: Iterable[str]) -> None:
        self.mismatches = tuple(mismatches)
        super().__init__("; ".join(self.mismatches))


@dataclass
class Findings:
    """Collected over a run; the summary and the exit code are made from them."""

    violations: dict[tuple[str, ...], Violation] = field(default_factory=dict)
    #: The spec's assumptions as the target showed them, by :attr:`Assumption.key`.
    assumptions: dict[tuple[str, str, str], Assumption] = field(default_factory=dict)
    #: How many answers showed each assumption.
    assumption_counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: Things that could not be checked.
    warnings: list[str] = field(default_factory=list)
    #: Facts about the target that are reported, not judged (TLS 1.3 offered...).
    observations: list[str] = field(default_factory=list)
    data_checks: list[DataCheck] = field(default_factory=list)
    #: Tests that could not complete: the target's conformance is then unknown.
    errors: list[str] = field(default_factory=list)
    #: documented error message -> how it was reached
    messages_reached: dict[str, str] = field(default_factory=dict)
    #: operation (``GET /Application``) -> the 401 message the given certificate got there
    refusals: dict[str, str] = field(default_factory=dict)

    def add_violation(self, violation: Violation, *key: str) -> None:
        """Record *violation*. A later one with the same key replaces it (shrinking ends on
        the simplest failing request), unless the earlier came from a phase that does not
        depend on the seed: that request fails on every run."""
        full_key = (violation.operation, violation.check, *key)
        earlier = self.violations.get(full_key)
        if earlier is not None and earlier.phase in SEEDLESS and violation.phase not in SEEDLESS:
            return
        self.violations[full_key] = violation

    def add_assumption(self, assumption: Assumption) -> bool:
        """Record *assumption*; True when it is new (the first of its key)."""
        self.assumption_counts[assumption.key] += 1
        if assumption.key in self.assumptions:
            return False
        self.assumptions[assumption.key] = assumption
        return True

    @property
    def drift(self) -> set[UndocumentedCode]:
        """The codes outside Bilag B that the target sent (D4)."""
        return {a.code for a in self.assumptions.values() if a.code is not None}

    def message_reached(self, message: str, exchange: Exchange) -> None:
        route = urlsplit(exchange.url).path
        self.messages_reached.setdefault(
            message, f"{exchange.method} {route} with {exchange.identity}"
        )

    def refused(self, operation: str, message: str) -> None:
        self.refusals.setdefault(operation, message)

    def grouped(self) -> list[tuple[Violation, int]]:
        """One entry per distinct violation (same operation, check, spec and answer),
        with how many requests showed it, in a stable order."""
        groups: dict[tuple[str, str, str, str], list[Violation]] = {}
        for violation in self.violations.values():
            key = (violation.operation, violation.check, violation.expected, violation.actual)
            groups.setdefault(key, []).append(violation)
        return [(group[0], len(group)) for _, group in sorted(groups.items())]

    @property
    def conforms(self) -> bool:
        return not self.violations and not self.errors
