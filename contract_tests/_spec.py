"""Locate and load spec/kpb.openapi.yaml and spec/DISCREPANCIES.md.

A source checkout (or an editable install) uses the files in the checkout, so an edit
is seen at once; an installed wheel carries copies in the ``kpb_spec`` directory.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

SPEC_NAME = "kpb.openapi.yaml"
DISCREPANCIES_NAME = "DISCREPANCIES.md"


def _shipped(name: str) -> Path:
    checkout = Path(__file__).resolve().parent.parent / "spec" / name
    if checkout.is_file():
        return checkout
    return Path(str(importlib.resources.files("kpb_spec") / name))


def spec_path() -> Path:
    """The spec that this installation was built from."""
    return _shipped(SPEC_NAME)


def discrepancies_path() -> Path:
    """The spec's decision log, whose entries the contract suite's findings name."""
    return _shipped(DISCREPANCIES_NAME)


@functools.cache
def test_cprs() -> tuple[str, ...]:
    """The seven test CPR numbers of Bilag A: the examples of the spec's ``cpr``."""
    examples = load_spec()["components"]["parameters"]["Cpr"]["examples"]
    return tuple(str(example["value"]) for example in examples.values())


@functools.cache
def response_schema(route: str) -> dict[str, Any]:
    """The schema of a 200 answer to *route* (``/Application``), ``$ref``s unresolved."""
    content = load_spec()["paths"][route]["get"]["responses"]["200"]["content"]
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


def schema_error(route: str, body: object) -> str | None:
    """Why *body* is not a 200 answer to *route* as the spec describes it (the first
    reason, with where in the body); None when it is."""
    error = first_error(response_schema(route), body)
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
    return f"{where.lstrip('.') or 'the body'}: {error.message}"


def first_error(schema: dict[str, Any], instance: object) -> jsonschema_rs.ValidationError | None:
    """The first reason *instance* does not satisfy *schema* (a schema of the spec, its
    ``$ref``s resolved in the spec). Inside an ``anyOf`` that no branch satisfies (a
    nullable object, an open code set), the reason of the branch that got furthest into
    the value, rather than "not valid under any of the schemas"."""
    resolvable = {"components": load_spec()["components"], **schema}
    error = next(iter(jsonschema_rs.validator_for(resolvable).iter_errors(instance)), None)
    while error is not None and getattr(error.kind, "context", None):
        branches = [b for b in getattr(error.kind, "context") if b]  # noqa: B009 (AnyOf only)
        deepest = max(branches, key=lambda b: max(len(e.instance_path) for e in b))
        error = max(deepest, key=lambda e: len(e.instance_path))
    return error


@functools.cache
def load_spec() -> dict[str, Any]:
    with spec_path().open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec
