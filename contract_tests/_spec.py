"""Locate and load spec/kpb.openapi.yaml and spec/DISCREPANCIES.md.

A source checkout (or an editable install) uses the files in the checkout, so an edit
is seen at once; an installed wheel carries copies in the ``kpb_spec`` directory.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path
from typing import Any

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
def load_spec() -> dict[str, Any]:
    with spec_path().open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec
