"""KPB's facts live in one place, kpb_ext/_facts.py, and say what the spec says."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from contract_tests._spec import load_spec
from kpb_ext import ACCESS_EMAIL, ENVIRONMENTS, SUPPORT_EMAIL

ROOT = Path(__file__).resolve().parents[2]


def test_the_facts_are_the_specs() -> None:
    spec = load_spec()
    assert list(ENVIRONMENTS.values()) == [server["url"] for server in spec["servers"]]
    assert next(iter(ENVIRONMENTS)) == "test"  # the first server, as in the spec
    assert spec["info"]["contact"]["email"] == ACCESS_EMAIL
    assert spec["info"]["x-kpb-support"]["email"] == SUPPORT_EMAIL


def _strings(path: Path) -> list[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("package", ["kpb_ext", "kpb_cli", "contract_tests"])
def test_no_module_writes_an_address_out_again(package: str) -> None:
    facts = [*ENVIRONMENTS.values(), ACCESS_EMAIL, SUPPORT_EMAIL]
    hosts = [fact.split("//")[-1].split("/")[0].split("@")[-1] for fact in facts]
    written = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "_facts.py"
        and (found := [h for text in _strings(path) for h in hosts if h in text])
    }
    assert written == {}
