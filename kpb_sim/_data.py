"""The simulator's test persons, read from a YAML file in KPB's wire shape."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["BILAG_A", "DataError", "Person", "load_persons"]

#: The seven test persons of the PDF's Bilag A.
BILAG_A = Path(__file__).with_name("data") / "bilag_a.yaml"

_CPR = re.compile(r"[0-9]{10}")


class DataError(Exception):
    """A data file cannot be served as it is."""


@dataclass(frozen=True)
class Person:
    """One person's records, exactly as the two services return them."""

    cpr: str
    label: str
    medical_certificates: list[dict[str, Any]]
    applications: list[dict[str, Any]]


def load_persons(path: Path | str | None = None) -> dict[str, Person]:
    """Read a data file (default: Bilag A) into persons by CPR number."""
    path = Path(path) if path is not None else BILAG_A
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read data file {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be read): give a YAML file"
        ) from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise DataError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(document, Mapping) or not isinstance(document.get("persons"), list):
        raise DataError(f"{path} must have a top-level list 'persons'")

    persons: dict[str, Person] = {}
    for index, entry in enumerate(document["persons"]):
        where = f"{path}: persons[{index}]"
        if not isinstance(entry, Mapping):
            raise DataError(f"{where} must be a mapping")
        cpr = entry.get("cpr")
        if not isinstance(cpr, str) or not _CPR.fullmatch(cpr):
            raise DataError(f"{where}: 'cpr' must be a quoted string of 10 digits")
        if cpr in persons:
            raise DataError(f"{where}: CPR number of {persons[cpr].label} repeated")
        label = str(entry.get("label", f"person {index + 1}"))
        records = {}
        for member in ("MedicalCertificates", "Applications"):
            value = entry.get(member, [])
            if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
                raise DataError(f"{where} ({label}): '{member}' must be a list of mappings")
            _reject_unquoted_dates(value, f"{where} ({label}).{member}")
            records[member] = value
        persons[cpr] = Person(cpr, label, records["MedicalCertificates"], records["Applications"])
    return persons


def _reject_unquoted_dates(value: object, where: str) -> None:
    # An unquoted timestamp becomes a datetime in YAML and would lose its digits.
    if isinstance(value, dt.date):
        raise DataError(f"{where}: quote the timestamp {value} so that it stays a string")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _reject_unquoted_dates(item, f"{where}.{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _reject_unquoted_dates(item, f"{where}[{position}]")
