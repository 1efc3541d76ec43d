"""spec/kpb.openapi-3.0.yaml: the 3.1 source in OpenAPI 3.0.3's words, and current."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, validate

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "spec" / "kpb.openapi.yaml"
RENDITION = ROOT / "spec" / "kpb.openapi-3.0.yaml"
RENDERER = ROOT / "scripts" / "render-openapi-3.0"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def render(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RENDERER), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def properties(spec: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in spec["components"]["schemas"].items():
        for member, definition in schema.get("properties", {}).items():
            yield f"{name}.{member}", definition


def nullable_in_3_1(schema: dict[str, Any]) -> bool:
    kinds = schema.get("type")
    return (isinstance(kinds, list) and "null" in kinds) or {"type": "null"} in schema.get(
        "anyOf", []
    )


def test_rendition_is_current() -> None:
    result = render("--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_rendition_validates_as_openapi_3_0() -> None:
    spec = load(RENDITION)
    assert spec["openapi"] == "3.0.3"
    validate(spec, cls=OpenAPIV30SpecValidator)


def test_every_null_of_the_source_is_nullable_and_nothing_else() -> None:
    source = dict(properties(load(SOURCE)))
    rendition = dict(properties(load(RENDITION)))
    assert source.keys() == rendition.keys()
    for where, definition in rendition.items():
        assert bool(definition.get("nullable")) == nullable_in_3_1(source[where]), where
        assert not isinstance(definition.get("type"), list), where
        assert "anyOf" not in definition or {"type": "null"} not in definition["anyOf"], where
        if definition.get("nullable"):
            assert "type" in definition, f"{where}: 3.0.3's nullable needs a type beside it"


def test_mutual_tls_is_kept_as_an_extension() -> None:
    source, rendition = load(SOURCE), load(RENDITION)
    schemes = source["components"]["securitySchemes"]
    assert rendition["components"]["x-kpb-security-schemes"] == schemes
    assert "securitySchemes" not in rendition["components"]
    for route, item in source["paths"].items():
        security = item["get"]["security"]
        rendered = rendition["paths"][route]["get"]
        assert "security" not in rendered
        assert rendered.get("x-kpb-security", []) == security, route
    assert "x-kpb-security-schemes" in rendition["info"]["description"]


def test_cpr_examples_stay_strings_for_yaml_1_2_readers() -> None:
    text = RENDITION.read_text(encoding="utf-8")
    assert "value: '0702614074'" in text
    assert "value: 0702614074" not in text


def test_stale_rendition_is_named(tmp_path: Path) -> None:
    stale = tmp_path / "kpb.openapi-3.0.yaml"
    stale.write_text(RENDITION.read_text(encoding="utf-8").replace("3.0.3", "3.0.2"), "utf-8")
    result = render("--check", "--output", stale)
    assert result.returncode == 1
    assert f"{stale} is stale" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": ["string", "integer"]}, "cannot express type"),
    ],
)
def test_what_3_0_cannot_say_is_refused(
    change: dict[str, Any], message: str, tmp_path: Path
) -> None:
    source = load(SOURCE)
    source["components"]["schemas"]["LicenseCategory"]["properties"]["Code"] = change
    path = tmp_path / "kpb.openapi.yaml"
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    result = render("--source", path, "--output", tmp_path / "out.yaml")
    assert result.returncode != 0
    assert message in result.stderr
