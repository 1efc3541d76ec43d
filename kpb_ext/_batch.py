"""Lookups of many CPR numbers, one result per distinct number.

The input is read lazily and de-duplicated; at most ``concurrency`` lookups are in
flight, and each result is yielded as soon as it is done, so a batch of any size runs in
flat memory (besides the set of numbers seen, needed to drop duplicates). A number that
is invalid, or whose lookup fails, becomes a result holding the typed error: the batch
never stops for one number. It stops for a dead KPB, if asked to: after so many numbers
in a row got no answer, it raises :class:`KpbUnavailableError` rather than wait out the
retries of every number left.

The services are given as typed callables (a client's bound methods), so that the batch
knows nothing of how a call is made. A batch's :class:`Pacer` (its rate, and the holds
KPB asks for) reaches those calls through a context variable set for each lookup, so
that the client's own methods, or a subclass's, are what the batch calls.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Container,
    Iterable,
    Iterator,
    Sized,
)
from typing import Any, Final, Literal

import attrs

from kpb_client.models import (
    Application,
    ApplicationsResponse,
    MedicalCertificate,
    MedicalCertificatesResponse,
)

from ._cpr import Cpr
from ._exceptions import (
    InvalidCprError,
    KpbError,
    KpbUnavailableError,
    TransportError,
    UnexpectedStatusError,
)
from ._rate import PACER, Pacer
from ._redact import mask_input
from ._retry import RETRY_STATUSES

__all__ = [
    "AsyncServices",
    "BatchInput",
    "LookupResult",
    "ProgressCallback",
    "Services",
    "What",
    "first_occurrences",
    "is_transient",
    "masked_label",
]

What = Literal["applications", "medical_certificates", "both"]
#: ``progress(done, total)``; ``total`` is None while it is not known.
ProgressCallback = Callable[[int, "int | None"], None]
#: A number, or a pair ``(index, number)`` that sets its index (for example a line number).
BatchInput = Cpr | str | tuple[int, Cpr | str]

_WHAT: Final = ("applications", "medical_certificates", "both")


@attrs.frozen
class Services:
    """The calls a synchronous batch makes for each number (a client's methods): whole
    answers, so that a result writes back what KPB sent."""

    medical_certificates: Callable[[Cpr], MedicalCertificatesResponse]
    applications: Callable[[Cpr], ApplicationsResponse]


@attrs.frozen
class AsyncServices:
    """The calls an asynchronous batch awaits for each number (a client's methods)."""

    medical_certificates: Callable[[Cpr], Awaitable[MedicalCertificatesResponse]]
    applications: Callable[[Cpr], Awaitable[ApplicationsResponse]]


def is_transient(error: KpbError) -> bool:
    """Whether KPB gave no answer, so that asking again later may succeed.

    True for network, TLS and timeout failures, and for 429, 502, 503 and 504, which a
    gateway or load balancer in front of KPB sends when KPB is away or busy.
    """
    if isinstance(error, TransportError):
        return True
    return isinstance(error, UnexpectedStatusError) and error.status_code in RETRY_STATUSES


@attrs.frozen(repr=False, eq=False)
class LookupResult:
    """The outcome for one distinct input number.

    ``index`` is its position in the input (from 0), or the index given with it as a
    pair ``(index, number)``; ``cpr`` is None when the input was not a valid CPR number;
    ``label`` is the masked number (or masked input). The whole answer of each service
    asked for is in ``medical_certificates_answer`` / ``applications_answer`` (None when
    not asked for or failed), its records in ``medical_certificates`` / ``applications``;
    ``errors`` maps ``"cpr"``, ``"medical_certificates"`` or ``"applications"`` to the
    error of that step.
    """

    index: int
    cpr: Cpr | None
    label: str
    medical_certificates_answer: MedicalCertificatesResponse | None = None
    applications_answer: ApplicationsResponse | None = None
    errors: dict[str, KpbError] = attrs.field(factory=dict)

    @property
    def medical_certificates(self) -> list[MedicalCertificate] | None:
        """The medical certificates (a ``null`` list reads as none); None without an answer."""
        answer = self.medical_certificates_answer
        return None if answer is None else answer.medical_certificates or []

    @property
    def applications(self) -> list[Application] | None:
        """The applications (a ``null`` list reads as none); None without an answer."""
        answer = self.applications_answer
        return None if answer is None else answer.applications or []

    @property
    def ok(self) -> bool:
        """True when every service asked for answered."""
        return not self.errors

    @property
    def error(self) -> KpbError | None:
        """The first error, if any."""
        return next(iter(self.errors.values()), None)

    @property
    def unanswered(self) -> bool:
        """True when calls were made and KPB answered none of them (see :func:`is_transient`)."""
        return (
            self.cpr is not None
            and bool(self.errors)
            and self.medical_certificates_answer is None
            and self.applications_answer is None
            and all(is_transient(error) for error in self.errors.values())
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: masked ``cpr``, the answers as KPB sent them (a ``null`` list
        and members the spec does not name included), and any errors.

        Each error has ``type``, ``message``, ``hint``, ``transient`` (KPB gave no
        answer; asking again later may succeed) and, for an HTTP answer, ``status_code``.
        """
        out: dict[str, Any] = {}
        for answer in (self.medical_certificates_answer, self.applications_answer):
            if answer is not None:
                out.update(answer.to_dict())
        out = {"index": self.index, "cpr": self.label, **out}
        if self.errors:
            out["errors"] = {step: _error_dict(error) for step, error in self.errors.items()}
        return out

    def to_json(self) -> str:
        """One line of JSON (for JSON Lines); see :meth:`to_dict`."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    def __repr__(self) -> str:
        parts = [f"index={self.index}", f"cpr={self.label!r}"]
        if self.medical_certificates is not None:
            parts.append(f"medical_certificates={len(self.medical_certificates)}")
        if self.applications is not None:
            parts.append(f"applications={len(self.applications)}")
        if self.errors:
            kinds = ", ".join(f"{k}: {type(e).__name__}" for k, e in self.errors.items())
            parts.append(f"errors={{{kinds}}}")
        return f"LookupResult({', '.join(parts)})"


def _error_dict(error: KpbError) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": type(error).__name__,
        "message": str(error),
        "hint": error.hint,
        "transient": is_transient(error),
    }
    status = getattr(error, "status_code", None)
    if status is not None:
        out["status_code"] = status
    return out


# -- input -------------------------------------------------------------------------------


@attrs.frozen
class Entry:
    """The first occurrence of a number in a batch's input."""

    index: int
    label: str
    cpr: Cpr | None
    error: InvalidCprError | None


def first_occurrences(items: Iterable[BatchInput], skip: Container[int] = ()) -> Iterator[Entry]:
    """Each distinct number of *items* once, at its first index, lazily.

    A number whose first index is in *skip* is not yielded, but a later repeat of it is
    still a repeat.
    """
    seen: set[str] = set()
    for position, item in enumerate(items):
        index, number = item if isinstance(item, tuple) else (position, item)
        cpr: Cpr | None = None
        invalid: InvalidCprError | None = None
        try:
            cpr = Cpr.parse(number)
            key = cpr.digits
        except InvalidCprError as error:
            key, invalid = "invalid:" + "".join(str(number).split()), error
        if key in seen:
            continue
        seen.add(key)
        if index not in skip:
            yield Entry(index, _label(number, cpr), cpr, invalid)


def _label(number: Cpr | str, cpr: Cpr | None) -> str:
    return cpr.masked if cpr is not None else mask_input(str(number))


def masked_label(number: Cpr | str) -> str:
    """How a result shows *number*: ``070261-****``, or the masked input if invalid."""
    try:
        return _label(number, Cpr.parse(number))
    except InvalidCprError:
        return _label(number, None)


def _total(items: Iterable[BatchInput], skip: Container[int]) -> int | None:
    if not isinstance(items, Sized):
        return None
    return sum(1 for _ in first_occurrences(items, skip))


def _check(what: str, concurrency: int, stop_after_unanswered: int | None) -> None:
    if what not in _WHAT:
        raise ValueError(f"what is one of {sorted(_WHAT)}, not {what!r}")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if stop_after_unanswered is not None and stop_after_unanswered < 1:
        raise ValueError("stop_after_unanswered must be at least 1, or None")


@attrs.define
class _Breaker:
    """Counts the numbers in a row that KPB did not answer."""

    limit: int | None
    streak: int = 0
    last: KpbError | None = None

    def add(self, result: LookupResult) -> None:
        if result.unanswered:
            self.streak += 1
            self.last = result.error
        elif result.cpr is not None:  # an invalid number sends nothing and tells nothing
            self.streak = 0

    @property
    def tripped(self) -> bool:
        return self.limit is not None and self.streak >= self.limit

    def error(self) -> KpbUnavailableError:
        assert self.last is not None
        return KpbUnavailableError(self.streak, self.last)


def _paced(pacer: Pacer | None) -> contextvars.Context:
    """A context for the batch's lookups, in which the client's calls find *pacer*."""
    context = contextvars.copy_context()
    context.run(PACER.set, pacer)
    return context


def _result(
    entry: Entry,
    medical_certificates: MedicalCertificatesResponse | None,
    applications: ApplicationsResponse | None,
    errors: dict[str, KpbError],
) -> LookupResult:
    return LookupResult(
        index=entry.index,
        cpr=entry.cpr,
        label=entry.label,
        medical_certificates_answer=medical_certificates,
        applications_answer=applications,
        errors=errors,
    )


# -- sync --------------------------------------------------------------------------------


def _lookup_sync(services: Services, entry: Entry, what: What) -> LookupResult:
    medical_certificates = applications = None
    errors: dict[str, KpbError] = {}
    if entry.error is not None:
        errors["cpr"] = entry.error
    elif entry.cpr is not None:
        if what != "applications":
            try:
                medical_certificates = services.medical_certificates(entry.cpr)
            except KpbError as error:
                errors["medical_certificates"] = error
        if what != "medical_certificates":
            try:
                applications = services.applications(entry.cpr)
            except KpbError as error:
                errors["applications"] = error
    return _result(entry, medical_certificates, applications, errors)


def lookup_many_sync(
    services: Services,
    cprs: Iterable[BatchInput],
    *,
    what: What,
    progress: ProgressCallback | None,
    skip: Container[int] = (),
    stop_after_unanswered: int | None = None,
    pacer: Pacer | None = None,
) -> Iterator[LookupResult]:
    _check(what, 1, stop_after_unanswered)
    total = _total(cprs, skip)
    paced = _paced(pacer)

    def run() -> Iterator[LookupResult]:
        breaker = _Breaker(stop_after_unanswered)
        done = 0
        entries = first_occurrences(cprs, skip)
        following = next(entries, None)
        while following is not None:
            entry = following
            result = paced.copy().run(_lookup_sync, services, entry, what)
            breaker.add(result)
            following = None if breaker.tripped else next(entries, None)
            done += 1
            if progress is not None:
                last = following is None and not breaker.tripped
                known = total if total is not None else (done if last else None)
                progress(done, known)
            yield result
            if breaker.tripped:
                raise breaker.error()

    return run()


# -- async -------------------------------------------------------------------------------


async def _lookup_async(services: AsyncServices, entry: Entry, what: What) -> LookupResult:
    medical_certificates = applications = None
    errors: dict[str, KpbError] = {}
    if entry.error is not None:
        errors["cpr"] = entry.error
    elif entry.cpr is not None:
        if what != "applications":
            try:
                medical_certificates = await services.medical_certificates(entry.cpr)
            except KpbError as error:
                errors["medical_certificates"] = error
        if what != "medical_certificates":
            try:
                applications = await services.applications(entry.cpr)
            except KpbError as error:
                errors["applications"] = error
    return _result(entry, medical_certificates, applications, errors)


def lookup_many_async(
    services: AsyncServices,
    cprs: Iterable[BatchInput],
    *,
    what: What,
    concurrency: int,
    progress: ProgressCallback | None,
    skip: Container[int] = (),
    stop_after_unanswered: int | None = None,
    pacer: Pacer | None = None,
) -> AsyncIterator[LookupResult]:
    _check(what, concurrency, stop_after_unanswered)
    total = _total(cprs, skip)
    paced = _paced(pacer)

    async def run() -> AsyncIterator[LookupResult]:
        loop = asyncio.get_running_loop()
        entries = first_occurrences(cprs, skip)
        in_flight: set[asyncio.Task[LookupResult]] = set()
        breaker = _Breaker(stop_after_unanswered)
        exhausted = False
        started = done = 0

        def fill() -> None:
            nonlocal exhausted, started
            while not exhausted and len(in_flight) < concurrency:
                entry = next(entries, None)
                if entry is None:
                    exhausted = True
                else:
                    started += 1
                    lookup = _lookup_async(services, entry, what)
                    in_flight.add(loop.create_task(lookup, context=paced.copy()))

        try:
            fill()
            while in_flight:
                finished, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                in_flight.difference_update(finished)
                results = [task.result() for task in finished]
                for result in results:
                    breaker.add(result)
                if not breaker.tripped:
                    fill()  # keep the others busy while the caller handles these
                for result in results:
                    done += 1
                    if progress is not None:
                        known = total if total is not None else (started if exhausted else None)
                        progress(done, known)
                    yield result
                if breaker.tripped:
                    raise breaker.error()
        finally:
            for task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)

    return run()
