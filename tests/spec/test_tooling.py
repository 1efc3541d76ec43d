"""Redocly lint and the TypeScript consumer, and proof that both can fail.

They need the Node tools of spec/tooling (``npm ci`` there; ``tox -e spec`` does it).
Under ``KPB_REQUIRE_SPEC_TOOLING=1`` a missing tool is a failure, not a skip.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from contract_tests._spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
TOOLING = ROOT / "spec" / "tooling"
BIN = TOOLING / "node_modules" / ".bin"

if not (BIN / "redocly").exists():
    if os.environ.get("KPB_REQUIRE_SPEC_TOOLING") == "1":
        pytest.fail("spec/tooling is not installed: run `npm ci` in spec/tooling", pytrace=False)
    pytest.skip("spec/tooling not installed (tox -e spec runs these)", allow_module_level=True)


def run(*args: str, cwd: Path = TOOLING) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "REDOCLY_TELEMETRY": "off",
        "NO_COLOR": "1",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    }
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False, env=env)


def lint(spec: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run(
        str(BIN / "redocly"),
        "lint",
        "--config",
        str(ROOT / "spec" / "redocly.yaml"),
        *options,
        str(spec),
    )


def test_spec_lints_clean() -> None:
    result = lint(ROOT / "spec" / "kpb.openapi.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_rendition_lints_clean_but_for_its_unnamed_security() -> None:
    """OpenAPI 3.0 cannot name mutual TLS, so the rendition's operations have no security."""
    result = lint(ROOT / "spec" / "kpb.openapi-3.0.yaml", "--skip-rule", "security-defined")
    assert result.returncode == 0, result.stdout + result.stderr


def _mutated(tmp_path: Path, change: Any) -> Path:
    spec = copy.deepcopy(load_spec())
    change(spec)
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def _pdf_example(spec: dict[str, Any]) -> dict[str, Any]:
    media = spec["paths"]["/Application"]["get"]["responses"]["200"]["content"]["application/json"]
    application: dict[str, Any] = media["examples"]["pdfExample"]["value"]["Applications"][0]
    return application


MUTATIONS = {
    "camelCase property": (
        lambda s: s["components"]["schemas"]["LicenseCategory"]["properties"].update(
            code=s["components"]["schemas"]["LicenseCategory"]["properties"].pop("Name")
        ),
        "schema-properties-pascal-case",
    ),
    "undescribed schema": (
        lambda s: s["components"]["schemas"]["Guid"].pop("description"),
        "every-component-schema-described",
    ),
    "path repeating /api": (
        lambda s: s["paths"].update({"/api/test": s["paths"].pop("/test")}),
        "paths-exclude-api-prefix",
    ),
    "example with a string code": (
        lambda s: _pdf_example(s)["ApplicationStatus"].update(Code="11"),
        "no-invalid-media-type-examples",
    ),
    "example with an offset timestamp": (
        lambda s: _pdf_example(s)["ApplicationEvents"][0].update(
            CreatedDate="2018-02-09T11:54:36+01:00"
        ),
        "no-invalid-media-type-examples",
    ),
    "operation without 4xx": (
        lambda s: [s["paths"]["/test"]["get"]["responses"].pop(k) for k in ("403", "404")],
        "operation-4xx-response",
    ),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_ruleset_catches(name: str, tmp_path: Path) -> None:
    change, rule = MUTATIONS[name]
    result = lint(_mutated(tmp_path, change))
    assert result.returncode != 0
    assert rule in result.stdout + result.stderr


def _typecheck(workdir: Path, spec: Path) -> subprocess.CompletedProcess[str]:
    generated = run(
        str(BIN / "openapi-typescript"),
        str(spec),
        "--output",
        str(workdir / "generated" / "kpb.d.ts"),
    )
    assert generated.returncode == 0, generated.stderr
    return run(str(BIN / "tsc"), "--project", str(workdir / "tsconfig.json"))


def _consumer_copy(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("consumer.ts", "tsconfig.json"):
        shutil.copy(TOOLING / name, tmp_path / name)
    return tmp_path


def test_typescript_consumer_typechecks(tmp_path: Path) -> None:
    result = _typecheck(_consumer_copy(tmp_path), ROOT / "spec" / "kpb.openapi.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_typescript_check_fails_when_the_spec_loosens(tmp_path: Path) -> None:
    """A status code that may be a string would break the consumer's expectation."""

    def loosen(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["OpenApplicationStatusCode"]["anyOf"].append(
            {"type": "string"}
        )

    workdir = _consumer_copy(tmp_path / "ts")
    result = _typecheck(workdir, _mutated(tmp_path, loosen))
    assert result.returncode != 0
    assert "consumer.ts" in result.stdout
