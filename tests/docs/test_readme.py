"""The README's commands and examples work as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kpb_sim import Simulator, create_certificates

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_quick_start_has_exactly_two_one_line_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", quick_start, flags=re.DOTALL)
    assert len(commands) == 2
    assert all(command.count("\n") == 1 for command in commands)
    demo, tests = (command.strip() for command in commands)
    assert demo.endswith("tox -e demo")
    assert tests.endswith("tox -e tests")


def test_ci_runs_the_readme_test_command_exactly() -> None:
    quick_start = README.split("## Quick start", 1)[1]
    test_command = re.findall(r"```sh\n(.*?)```", quick_start, flags=re.DOTALL)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


@pytest.mark.network
@pytest.mark.parametrize("index", range(len(code_blocks("python"))))
def test_python_example_runs_against_the_simulator(index: int, tmp_path: Path) -> None:
    """Each example runs as a script in a directory prepared as the README says."""
    certificates = create_certificates(tmp_path / "kpb-sim-certs")
    script = tmp_path / "example.py"
    script.write_text(code_blocks("python")[index], encoding="utf-8")
    with Simulator(certificates) as simulator:
        env = {
            **os.environ,
            "KPB_BASE_URL": simulator.base_url,
            "KPB_CERT_PASSWORD_FILE": str(certificates.password_file),
        }
        env.pop("KPB_CERT_PASSWORD", None)
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    for number in ("0702614074", "070261-4074", "0701614038", "0709614401", "0107529039"):
        assert number not in result.stdout + result.stderr


def test_the_exit_code_table_lists_every_exit_code() -> None:
    from kpb_cli import ExitCode

    table = README.split("| exit code | meaning |", 1)[1].split("\n\n", 1)[0]
    listed = [int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)]
    assert listed == sorted(code.value for code in ExitCode)
