"""scripts/regenerate --check notices a stale or hand-edited generated client."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "regenerate"
GENERATED = ROOT / "generated" / "kpb_client"


def pinned_generator_installed() -> bool:
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements" / "regen.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    try:
        return all(metadata.version(name) == version for name, version in pins.items())
    except metadata.PackageNotFoundError:
        return False


pytestmark = pytest.mark.skipif(
    not pinned_generator_installed(),
    reason="needs the generator pinned in requirements/regen.txt (tox -e regen-check installs it)",
)


def run_check(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--target", str(target), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_committed_client_is_current() -> None:
    result = run_check(GENERATED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hand_edit_is_named(tmp_path: Path) -> None:
    copy = tmp_path / "kpb_client"
    shutil.copytree(GENERATED, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "models" / "application.py").open("a", encoding="utf-8") as handle:
        handle.write("# edited by hand\n")
    (copy / "models" / "stray.py").write_text("x = 1\n", encoding="utf-8")
    (copy / "STAMP.json").unlink()

    result = run_check(copy)

    assert result.returncode == 1
    assert "models/application.py" in result.stdout
    assert "models/stray.py" in result.stdout
    assert "STAMP.json" in result.stdout
    assert "models/application_event.py" not in result.stdout


def test_stale_rendition_is_named(tmp_path: Path) -> None:
    rendition = tmp_path / "kpb.openapi-3.0.yaml"
    shutil.copy(ROOT / "spec" / "kpb.openapi-3.0.yaml", rendition)
    with rendition.open("a", encoding="utf-8") as handle:
        handle.write("x-edited-by-hand: true\n")

    result = run_check(GENERATED, "--rendition", str(rendition))

    assert result.returncode == 1
    assert f"{rendition} is stale" in result.stdout
