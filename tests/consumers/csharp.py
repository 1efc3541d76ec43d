"""Known breakages in C# sources that openapi-generator (csharp, generichost) writes.

No .NET SDK is available here, so the C# client is generated but not compiled or run.
These checks read its model sources for the three ways it broke on KPB's spec:

- CS0542: a class with a property of its own name (an inline code set that replaced the
  enum of the same name);
- a JSON converter that reads only objects or arrays, used for a member that KPB sends
  as a plain number or string (a status code): every answer would fail to parse;
- a field the spec allows to be null (D22) with a non-nullable C# type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_MODEL_CLASS = re.compile(r"public\s+partial\s+class\s+(\w+)")
_ANY_PROPERTY = re.compile(r"public\s+[\w.<>?,\[\] ]+?\s+(\w+)\s*\{\s*get")
_PROPERTY = re.compile(
    r'\[JsonPropertyName\("(\w+)"\)\]\s*public\s+([\w.<>?,\[\] ]+?)\s+(\w+)\s*\{'
)
_OBJECTS_ONLY = re.compile(
    r"if \(utf8JsonReader\.TokenType != JsonTokenType\.StartObject && "
    r"utf8JsonReader\.TokenType != JsonTokenType\.StartArray\)\s*throw new JsonException\(\);"
)


def _schema(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][str(schema["$ref"]).rsplit("/", 1)[-1]]
    return schema


def _may_be_scalar(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> bool:
    """Whether KPB may send this member as a number or a string (not an object or list)."""
    schema = _schema(spec, schema)
    if schema.get("type") in ("integer", "number", "string", "boolean"):
        return True
    branches = [*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]
    return any(_may_be_scalar(spec, branch) for branch in branches)


def _nullable(schema: Mapping[str, Any]) -> bool:
    """`nullable: true` (OpenAPI 3.0), or null among the types or branches (3.1)."""
    kinds = schema.get("type")
    branches = [*schema.get("anyOf", []), *schema.get("oneOf", [])]
    return (
        bool(schema.get("nullable"))
        or (isinstance(kinds, list) and "null" in kinds)
        or any(branch.get("type") == "null" for branch in branches)
    )


def csharp_problems(model_dir: Path, spec: Mapping[str, Any]) -> list[str]:
    """Breakages in the generated models of ``model_dir`` for ``spec`` (the 3.0 rendition)."""
    sources = {path.stem: path.read_text(encoding="utf-8") for path in model_dir.glob("*.cs")}
    problems = []
    for name, source in sources.items():
        model = _MODEL_CLASS.search(source)
        if model and model.group(1) in _ANY_PROPERTY.findall(source):
            problems.append(
                f"CS0542: {name}.cs: class {model.group(1)} has a property of its own name"
            )
    for schema_name, schema in spec["components"]["schemas"].items():
        model_source = sources.get(schema_name)
        if model_source is None or "properties" not in schema:
            continue
        types = {wire: cs_type for wire, cs_type, _prop in _PROPERTY.findall(model_source)}
        for member, member_schema in schema["properties"].items():
            cs_type = types.get(member)
            if cs_type is None:
                problems.append(f"{schema_name}.{member}: no property in {schema_name}.cs")
                continue
            if _nullable(member_schema) and not cs_type.endswith("?"):
                problems.append(
                    f"{schema_name}.{member} may be null (D22) but is typed {cs_type} in C#"
                )
            converted = sources.get(cs_type.rstrip("?"))
            if (
                converted is not None
                and _may_be_scalar(spec, member_schema)
                and _OBJECTS_ONLY.search(converted)
            ):
                problems.append(
                    f"{schema_name}.{member} is sent as a plain number or string, but the "
                    f"converter of {cs_type.rstrip('?')} throws on anything but an object or array"
                )
    return problems
