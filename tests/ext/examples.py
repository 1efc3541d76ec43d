"""The spec's response examples (the PDF's, quotes repaired), as fresh copies."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

from contract_tests._spec import load_spec


def _example(path: str) -> dict[str, Any]:
    content = load_spec()["paths"][path]["get"]["responses"]["200"]["content"]
    value: dict[str, Any] = content["application/json"]["examples"]["pdfExample"]["value"]
    return copy.deepcopy(value)


def medical_certificates() -> dict[str, Any]:
    """``{"MedicalCertificates": [...]}`` of PDF §3.2.1.3."""
    return _example("/MedicalCertificate")


def applications() -> dict[str, Any]:
    """``{"Applications": [...]}`` of PDF §3.2.2.3, with application status 11."""
    return _example("/Application")


def bilag_a_cprs() -> list[str]:
    """The seven test CPR numbers of PDF §1.1, as the spec lists them."""
    examples = load_spec()["components"]["parameters"]["Cpr"]["examples"]
    return [example["value"] for example in examples.values()]


def cpr_numbers(count: int) -> Iterator[str]:
    """*count* distinct valid CPR numbers, ten to a birth date."""
    day = dt.date(1960, 1, 1)
    for n in range(count):
        born = day + dt.timedelta(days=n // 10)
        yield born.strftime("%d%m%y") + f"{4000 + n % 10}"
