"""``kpb_ext`` imports its public names on first use, so that ``kpb --help`` starts fast.

What is checked is what gets imported, never how long it takes.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import kpb_ext

INIT = Path(kpb_ext.__file__)
HEAVY = ["httpx", "httpcore", "cryptography", "kpb_client", "rich", "stdnum", "tenacity"]


def fresh_interpreter(code: str) -> object:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def type_checking_imports() -> dict[str, str]:
    """Name -> module of the imports under ``if TYPE_CHECKING:`` in ``__init__.py``."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    (block,) = (
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    return {
        alias.asname or alias.name: "." * node.level + (node.module or "")
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


@pytest.mark.parametrize("name", kpb_ext.__all__)
def test_every_public_name_imports_from_the_package(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from kpb_ext import {name}", namespace)  # noqa: S102 (a name from __all__)
    module = kpb_ext._DEFINED_IN[name]
    assert namespace[name] is getattr(importlib.import_module(module, "kpb_ext"), name)
    assert name in dir(kpb_ext)


def test_the_three_lists_of_names_agree() -> None:
    """``__all__``, the lazy table and the imports for type checkers name the same."""
    static = type_checking_imports()
    assert sorted(static) == sorted(kpb_ext.__all__) == sorted(kpb_ext._DEFINED_IN)
    assert len(set(kpb_ext.__all__)) == len(kpb_ext.__all__)
    assert static == kpb_ext._DEFINED_IN


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'kpb_ext' has no attribute 'KpbClien'"):
        kpb_ext.KpbClien  # noqa: B018
    with pytest.raises(ImportError, match="KpbClien"):
        exec("from kpb_ext import KpbClien", {})  # noqa: S102


def test_star_import_gives_every_name() -> None:
    found = fresh_interpreter(
        "import json\n"
        "from kpb_ext import *\n"
        "import kpb_ext\n"
        "print(json.dumps([n for n in kpb_ext.__all__ if n not in globals()]))"
    )
    assert found == []


def test_kpb_help_loads_no_heavy_module() -> None:
    loaded = fresh_interpreter(
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from kpb_cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0 and 'Commands:' in result.output, result.output\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    assert loaded == []


def test_using_a_name_loads_what_it_needs() -> None:
    """The check above can fail: the same probe sees httpx once a client is used."""
    loaded = fresh_interpreter(
        "import json, sys\n"
        "from kpb_ext import KpbClient\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    assert isinstance(loaded, list)
    assert {"httpx", "kpb_client"} <= set(loaded)
