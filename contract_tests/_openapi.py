"""schemathesis, configured for KPB: every phase, every check, nothing relaxed.

The configuration is built here in full and handed to schemathesis directly, so no
``schemathesis.toml`` and no ``SCHEMATHESIS_HOOKS`` module of the user's can change it.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.config import SchemathesisConfig

from ._spec import load_spec, test_cprs

__all__ = [
    "CHECK_EXPECTATIONS",
    "TEST_CPRS",
    "build_schema",
    "pin_test_cprs",
]

#: Status codes the two data checks accept. schemathesis by default lets a 5xx pass as a
#: rejection of invalid data and accepts 401/403/404/5xx for valid data; KPB must answer
#: invalid input with a 4xx (D14) and a valid request with 200.
CHECK_EXPECTATIONS = {
    "negative_data_rejection": ["4xx"],
    "positive_data_acceptance": ["200"],
}

_WELL_FORMED_CPR = re.compile(r"[0-9]{10}")


TEST_CPRS = test_cprs()


def pin_test_cprs(case: Case[Any]) -> None:
    """Replace any well-formed ``cpr`` that is not a test CPR number by one that is.

    KPB is shared and real: a request that reaches it with a well-formed CPR number must
    name one of the seven test persons. Positive cases draw ``cpr`` from them already;
    this also covers negative cases whose ``cpr`` stayed valid (an unexpected extra
    parameter was the invalid part) and ``CPR``/``Cpr``, which ASP.NET reads as ``cpr``
    (D15). Malformed values are left as they are: they are the point of those cases.
    """
    if not isinstance(case.query, dict):
        return
    for name, value in list(case.query.items()):
        if name.lower() == "cpr":
            case.query[name] = _pinned(value)


def _pinned(value: Any) -> Any:
    if isinstance(value, list):
        return [_pinned(item) for item in value]
    if isinstance(value, str) and _WELL_FORMED_CPR.fullmatch(value) and value not in TEST_CPRS:
        return TEST_CPRS[int(value) % len(TEST_CPRS)]
    return value


@contextmanager
def _without_user_hooks() -> Iterator[None]:
    # schemathesis loads the module named by SCHEMATHESIS_HOOKS whenever a configuration is
    # made; such a module could filter failures away.
    saved = os.environ.pop("SCHEMATHESIS_HOOKS", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SCHEMATHESIS_HOOKS"] = saved


def build_schema(
    base_url: str, *, max_examples: int, seed: int, request_timeout: float, shrink: bool = True
) -> schemathesis.BaseSchema:
    """The spec as a schemathesis schema, pointed at *base_url*, never at its ``servers``."""
    settings: dict[str, Any] = {
        "base-url": base_url,
        "seed": seed,
        "request-timeout": request_timeout,
        "generation": {
            "mode": "all",
            "max-examples": max_examples,
            "no-shrink": not shrink,
            # nothing written to the user's disk
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": True},
            # malformed, missing and duplicated cpr (D14)
            "coverage": {"enabled": True, "generate-duplicate-query-parameters": True},
            "fuzzing": {"enabled": True},
            # KPB's operations have no links between them
            "stateful": {"enabled": False},
        },
        "checks": {
            name: {"expected-statuses": statuses} for name, statuses in CHECK_EXPECTATIONS.items()
        },
        # Positive cases draw cpr from the seven test persons only; negative ones are left
        # to schemathesis (a dictionary serves only values of the matching mode).
        "dictionaries": {"test-cpr": {"values": list(TEST_CPRS)}},
        "parameters": {"query.cpr": {"dictionary": "test-cpr"}},
    }
    with _without_user_hooks():
        config = SchemathesisConfig.from_dict(settings)
        return schemathesis.openapi.from_dict(copy.deepcopy(load_spec()), config=config)
