"""The rules of ARCHITECTURE.md, read from the import graph of the source.

Every import counts, at module level or inside a function, and so do
``importlib.import_module("...")`` and the ``"module:attribute"`` strings of the ``kpb``
command's lazy table. ``__main__`` modules are entry points and are left out.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Where each top-level package's source is.
PACKAGES = {
    "kpb_client": ROOT / "generated" / "kpb_client",
    "kpb_ext": ROOT / "kpb_ext",
    "kpb_sim": ROOT / "kpb_sim",
    "contract_tests": ROOT / "contract_tests",
    "kpb_cli": ROOT / "kpb_cli",
}

#: Which packages each may import (ARCHITECTURE.md). Nothing else, and so no cycle.
ALLOWED = {
    "kpb_client": set(),
    "kpb_sim": set(),
    "kpb_ext": {"kpb_client"},
    "contract_tests": {"kpb_ext", "kpb_sim"},
    "kpb_cli": {"kpb_client", "kpb_ext", "kpb_sim", "contract_tests"},
}

_LAZY = re.compile(r"^([A-Za-z_][\w.]*):[A-Za-z_]\w*$")
# Names of the generated client that are not its public boundary.
_PRIVATE_GENERATED = re.compile(r"\b_get_kwargs\b|\b_parse_response\b|\b_build_response\b")


def imported(source: str, module: str) -> Iterator[str]:
    """Every absolute module name *source* (the module called *module*) imports."""
    package = module.rsplit(".", 1)[0] if "." in module else module
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node.module
            elif node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                yield f"{base}.{node.module}" if node.module else base
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            yield node.args[0].value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            lazy = _LAZY.match(node.value)
            if lazy and lazy.group(1).split(".")[0] in PACKAGES:
                yield lazy.group(1)


def modules(package: str, root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(root.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        relative = path.relative_to(root).with_suffix("")
        yield ".".join([package, *relative.parts]), path


def graph(packages: dict[str, Path] = PACKAGES) -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the modules that import it."""
    edges: dict[str, dict[str, list[str]]] = {name: {} for name in packages}
    for package, root in packages.items():
        for module, path in modules(package, root):
            source = path.read_text(encoding="utf-8")
            for name in imported(source, module):
                target = name.split(".")[0]
                if target in packages and target != package:
                    edges[package].setdefault(target, []).append(module)
    return edges


def forbidden(edges: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    return {
        f"{package} -> {target}": sorted(set(importers))[:5]
        for package, targets in edges.items()
        for target, importers in targets.items()
        if target not in ALLOWED[package]
    }


def test_the_checker_sees_every_form_of_import() -> None:
    source = (
        "import kpb_ext\n"
        "from . import _exit\n"
        "def f():\n"
        "    import contract_tests._run\n"
        "    importlib.import_module('kpb_client.models')\n"
        "TABLE = {'sim': ('kpb_sim._server:Simulator', 'help')}\n"
        "TEXT = 'not:a module reference'\n"
    )
    assert sorted(imported(source, "kpb_cli._commands")) == [
        "contract_tests._run",
        "kpb_cli",
        "kpb_client.models",
        "kpb_ext",
        "kpb_sim._server",
    ]


def test_packages_import_only_what_architecture_allows() -> None:
    edges = graph()
    assert all(edges[name] for name in ("kpb_ext", "contract_tests", "kpb_cli"))  # seen
    assert forbidden(edges) == {}


def test_a_forbidden_import_inside_a_function_is_found(tmp_path: Path) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "kpb_sim" / "_server.py").write_text(
        "def serve():\n    from kpb_ext import KpbClient\n", encoding="utf-8"
    )
    (tmp_path / "contract_tests" / "cli.py").write_text(
        "from kpb_cli import ExitCode\n", encoding="utf-8"
    )
    packages = {package: tmp_path / package for package in PACKAGES}
    assert forbidden(graph(packages)) == {
        "kpb_sim -> kpb_ext": ["kpb_sim._server"],
        "contract_tests -> kpb_cli": ["contract_tests.cli"],
    }


def test_no_cycle_between_packages() -> None:
    edges = {package: set(targets) for package, targets in graph().items()}
    done: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, " -> ".join((*path, package))
        if package in done:
            return
        for target in edges[package]:
            visit(target, (*path, package))
        done.add(package)

    for package in edges:
        visit(package, ())


@pytest.mark.parametrize("package", ["kpb_ext", "kpb_sim", "contract_tests", "kpb_cli"])
def test_no_private_generated_name_outside_generated(package: str) -> None:
    found = []
    for module, path in modules(package, PACKAGES[package]):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("kpb_client")
                and any(alias.name.startswith("_") for alias in node.names)
            ):
                found.append(f"{module}: from {node.module} import _...")
        found += [f"{module}: {m.group()}" for m in _PRIVATE_GENERATED.finditer(source)]
    assert found == []


def test_the_private_name_check_can_fail(tmp_path: Path) -> None:
    source = "from kpb_client.api.test import get_test\nget_test._get_kwargs()\n"
    assert _PRIVATE_GENERATED.search(source)
    tree = ast.parse("from kpb_client.types import _Unset\n")
    (node,) = tree.body
    assert isinstance(node, ast.ImportFrom)
    assert node.names[0].name.startswith("_")
