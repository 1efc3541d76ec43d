"""The simulator is an independent reading of the documentation: it must not import the
generated client or the hand-written layer, so that a misunderstanding in them cannot be
mirrored by the simulator and cancel out in the tests."""

from __future__ import annotations

import ast
from pathlib import Path

import kpb_sim

FORBIDDEN = ("kpb_client", "kpb_ext", "generated", "contract_tests", "kpb_cli")


def forbidden_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names = [str(node.args[0].value)]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in FORBIDDEN]
    return found


def test_the_checker_finds_every_form_of_import() -> None:
    source = (
        "import kpb_ext\n"
        "import os, kpb_client.models as m\n"
        "from kpb_ext.cli import main\n"
        "from generated.kpb_client import Client\n"
        "import importlib; importlib.import_module('kpb_client')\n"
        "from . import kpb_ext_like\n"
        "import kpb_extra\n"
    )
    assert forbidden_imports(source) == [
        "kpb_ext",
        "kpb_client.models",
        "kpb_ext.cli",
        "generated.kpb_client",
        "kpb_client",
    ]


def test_kpb_sim_imports_neither_the_client_nor_kpb_ext() -> None:
    package = Path(kpb_sim.__file__).parent
    # __main__ is an entry point that runs the kpb command, not part of the simulator
    modules = sorted(p for p in package.rglob("*.py") if p.name != "__main__.py")
    assert {p.name for p in modules} >= {"__init__.py", "_server.py", "_data.py", "_replay.py"}
    offenders = {
        str(path.relative_to(package)): found
        for path in modules
        if (found := forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
