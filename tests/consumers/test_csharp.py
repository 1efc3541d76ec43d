"""C#: generated from the spec and checked by reading its sources (no .NET SDK here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from .build import GENERATORS, SPEC_3_0, generate
from .csharp import csharp_problems


def rendition() -> Any:
    return yaml.safe_load(SPEC_3_0.read_text(encoding="utf-8"))


def models(generated: Path) -> Path:
    settings = yaml.safe_load((GENERATORS / "csharp.yaml").read_text(encoding="utf-8"))
    return generated / "src" / str(settings["packageName"]) / "Model"


def test_generated_csharp_has_none_of_the_known_breakages(build_dir: Path) -> None:
    generated = generate("csharp", build_dir / "csharp")
    assert csharp_problems(models(generated.directory), rendition()) == []


def test_without_its_settings_the_converters_break_on_codes(build_dir: Path) -> None:
    """What spec/generators/csharp.yaml's schemaMappings are for."""
    settings = yaml.safe_load((GENERATORS / "csharp.yaml").read_text(encoding="utf-8"))
    del settings["schemaMappings"]
    config = build_dir / "csharp-unmapped.yaml"
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    generated = generate("csharp", build_dir / "csharp-unmapped", config=config)
    problems = csharp_problems(models(generated.directory), rendition())
    for field in ("ApplicationStatus.Code", "ExamStatus.Code", "ApplicationEvent.Type"):
        assert any(p.startswith(f"{field} is sent as a plain number") for p in problems), problems


CLASS = """
    public partial class {name} : IValidatableObject
    {{
{members}
    }}
"""
OBJECTS_ONLY = """
    public partial class {name}JsonConverter : JsonConverter<{name}>
    {{
        public override {name} Read(ref Utf8JsonReader utf8JsonReader)
        {{
            if (utf8JsonReader.TokenType != JsonTokenType.StartObject && {array_too})
                throw new JsonException();
        }}
    }}
"""


def member(wire: str, cs_type: str, name: str | None = None) -> str:
    return f'[JsonPropertyName("{wire}")]\n public {cs_type} {name or wire} {{ get; set; }}'


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            {
                "ExamStatus": CLASS.format(
                    name="ExamStatus",
                    members=member("Code", "ExamStatusCode") + member("Name", "string?"),
                ),
                "ExamStatusCode": CLASS.format(
                    name="ExamStatusCode", members="public ExamStatusCode? ExamStatusCode { get; }"
                )
                + OBJECTS_ONLY.format(
                    name="ExamStatusCode",
                    array_too="utf8JsonReader.TokenType != JsonTokenType.StartArray",
                ),
            },
            [
                "CS0542: ExamStatusCode.cs: class ExamStatusCode has a property of its own name",
                "ExamStatus.Code is sent as a plain number or string, but the converter of "
                "ExamStatusCode throws on anything but an object or array",
            ],
        ),
        (
            {
                "ExamStatus": CLASS.format(
                    name="ExamStatus", members=member("Code", "int") + member("Name", "string")
                )
            },
            ["ExamStatus.Name may be null (D22) but is typed string in C#"],
        ),
    ],
    ids=["replaced enum", "non-nullable string"],
)
def test_check_finds_each_breakage(
    sources: dict[str, str], expected: list[str], tmp_path: Path
) -> None:
    for name, source in sources.items():
        (tmp_path / f"{name}.cs").write_text(source, encoding="utf-8")
    spec = {
        "components": {
            "schemas": {
                "ExamStatus": {
                    "type": "object",
                    "properties": {
                        "Code": {"$ref": "#/components/schemas/ExamStatusCode"},
                        "Name": {"type": "string", "nullable": True},
                    },
                },
                "ExamStatusCode": {"type": "integer", "enum": [1, 2]},
            }
        }
    }
    assert csharp_problems(tmp_path, spec) == expected
