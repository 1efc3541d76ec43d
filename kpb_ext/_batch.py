"""Lookups of many CPR numbers, one result per distinct number.

The input is read lazily and de-duplicated; at most ``concurrency`` lookups are in
flight, and each result is yielded as soon as it is done, so a batch of any size runs in
flat memory (besides the set of numbers seen, needed to drop duplicates). A number that
is invalid, or whose lookup fails, becomes a result holding the typed error: the batch
never stops for one number.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sized
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from kpb_client.models import Application, MedicalCertificate

from ._cpr import Cpr
from ._exceptions import InvalidCprError, KpbError
from ._redact import mask_input

if TYPE_CHECKING:
    from ._client import AsyncKpbClient, KpbClient

__all__ = ["LookupResult", "ProgressCallback", "What"]

What = Literal["applications", "medical_certificates", "both"]
#: ``progress(done, total)``; ``total`` is None while it is not known.
ProgressCallback = Callable[[int, "int | None"], None]

_SERVICES: Final[dict[str, tuple[str, ...]]] = {
    "applications": ("applications",),
    "medical_certificates": ("medical_certificates",),
    "both": ("medical_certificates", "applications"),
}


@attrs.frozen(repr=False, eq=False)
class LookupResult:
    """The outcome for one distinct input number.

    ``index`` is its first position in the input; ``cpr`` is None when the input was not
    a valid CPR number; ``label`` is the masked number (or masked input). The data of
    each service asked for is in ``medical_certificates`` / ``applications`` (None when
    not asked for or failed); ``errors`` maps ``"cpr"``, ``"medical_certificates"`` or
    ``"applications"`` to the error of that step.
    """

    index: int
    cpr: Cpr | None
    label: str
    medical_certificates: list[MedicalCertificate] | None = None
    applications: list[Application] | None = None
    errors: dict[str, KpbError] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        """True when every service asked for answered."""
        return not self.errors

    @property
    def error(self) -> KpbError | None:
        """The first error, if any."""
        return next(iter(self.errors.values()), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: masked ``cpr``, the data as KPB sends it, and any errors."""
        out: dict[str, Any] = {"index": self.index, "cpr": self.label}
        if self.medical_certificates is not None:
            out["MedicalCertificates"] = [m.to_dict() for m in self.medical_certificates]
        if self.applications is not None:
            out["Applications"] = [a.to_dict() for a in self.applications]
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
    out: dict[str, Any] = {"type": type(error).__name__, "message": str(error), "hint": error.hint}
    status = getattr(error, "status_code", None)
    if status is not None:
        out["status_code"] = status
    return out


@attrs.frozen
class _Entry:
    index: int
    label: str
    cpr: Cpr | None
    error: InvalidCprError | None


def _key(item: Cpr | str) -> tuple[str, Cpr | None, InvalidCprError | None]:
    try:
        cpr = Cpr.parse(item)
    except InvalidCprError as error:
        return ("invalid:" + "".join(str(item).split()), None, error)
    return (cpr.digits, cpr, None)


def _entries(cprs: Iterable[Cpr | str]) -> Iterator[_Entry]:
    seen: set[str] = set()
    for index, item in enumerate(cprs):
        key, cpr, error = _key(item)
        if key in seen:
            continue
        seen.add(key)
        label = cpr.masked if cpr is not None else mask_input(str(item))
        yield _Entry(index, label, cpr, error)


def _total(cprs: Iterable[Cpr | str]) -> int | None:
    if not isinstance(cprs, Sized):
        return None
    return len({_key(item)[0] for item in cprs})


def _check(what: str, concurrency: int = 1) -> tuple[str, ...]:
    if what not in _SERVICES:
        raise ValueError(f"what is one of {sorted(_SERVICES)}, not {what!r}")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    return _SERVICES[what]


def _result(entry: _Entry, data: dict[str, Any], errors: dict[str, KpbError]) -> LookupResult:
    return LookupResult(
        index=entry.index,
        cpr=entry.cpr,
        label=entry.label,
        medical_certificates=data.get("medical_certificates"),
        applications=data.get("applications"),
        errors=errors,
    )


# -- sync --------------------------------------------------------------------------------


def lookup_many_sync(
    client: KpbClient,
    cprs: Iterable[Cpr | str],
    *,
    what: What,
    progress: ProgressCallback | None,
) -> Iterator[LookupResult]:
    services = _check(what)
    total = _total(cprs)

    def run() -> Iterator[LookupResult]:
        done = 0
        entries = _entries(cprs)
        following = next(entries, None)
        while following is not None:
            entry, following = following, next(entries, None)
            data: dict[str, Any] = {}
            errors: dict[str, KpbError] = {}
            if entry.error is not None:
                errors["cpr"] = entry.error
            else:
                assert entry.cpr is not None
                for service in services:
                    try:
                        data[service] = getattr(client, service)(entry.cpr)
                    except KpbError as error:
                        errors[service] = error
            done += 1
            if progress is not None:
                known = total if total is not None else (done if following is None else None)
                progress(done, known)
            yield _result(entry, data, errors)

    return run()


# -- async -------------------------------------------------------------------------------


async def _lookup(client: AsyncKpbClient, entry: _Entry, services: tuple[str, ...]) -> LookupResult:
    data: dict[str, Any] = {}
    errors: dict[str, KpbError] = {}
    if entry.error is not None:
        errors["cpr"] = entry.error
    else:
        for service in services:
            try:
                data[service] = await getattr(client, service)(entry.cpr)
            except KpbError as error:
                errors[service] = error
    return _result(entry, data, errors)


def lookup_many_async(
    client: AsyncKpbClient,
    cprs: Iterable[Cpr | str],
    *,
    what: What,
    concurrency: int,
    progress: ProgressCallback | None,
) -> AsyncIterator[LookupResult]:
    services = _check(what, concurrency)
    total = _total(cprs)

    async def run() -> AsyncIterator[LookupResult]:
        entries = _entries(cprs)
        in_flight: set[asyncio.Task[LookupResult]] = set()
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
                    in_flight.add(asyncio.ensure_future(_lookup(client, entry, services)))

        try:
            fill()
            while in_flight:
                finished, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                in_flight.difference_update(finished)
                fill()  # keep the others busy while the caller handles these
                for task in finished:
                    done += 1
                    if progress is not None:
                        known = total if total is not None else (started if exhausted else None)
                        progress(done, known)
                    yield task.result()
        finally:
            for task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)

    return run()
