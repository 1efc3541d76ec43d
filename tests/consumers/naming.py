"""Which schemas a code generator would have to name itself, and which of those collide.

openapi-generator turns an inline object or composed schema (anyOf, oneOf, a multi-part
allOf) inside a property into a model of its own, named after its parent and property:
``ApplicationStatus.Code`` becomes ``ApplicationStatus_Code``, written as the class
``ApplicationStatusCode``. When a component schema already has that name, the generated
class silently replaces it (an open code set then refers to itself, and Java recurses
until the stack overflows). The spec names every such schema in ``components/schemas``;
this check, which needs no generator, says where it does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["InlineSchema", "generated_class_name", "inline_schemas", "naming_problems"]


@dataclass(frozen=True)
class InlineSchema:
    where: str  # "ApplicationStatus.Code"
    generator_name: str  # "ApplicationStatus_Code", as openapi-generator logs it
    kind: str  # "anyOf", "oneOf", "allOf" or "object"

    @property
    def class_name(self) -> str:
        return generated_class_name(self.generator_name)


def generated_class_name(name: str) -> str:
    """openapi-generator's model name for a schema name: underscores dropped, camel-cased."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s.]+", name) if part)


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null" and len(schema) == 1


def _needs_a_model(schema: Mapping[str, Any]) -> str | None:
    """The kind of model a generator makes of an inline schema, or None if it makes none."""
    for keyword in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(keyword, []) if not _is_null(b)]
        if len(branches) > 1:
            return keyword
        # One branch (plus null) is a nullable reference or type, not a model of its own.
    if len(schema.get("allOf", [])) > 1:
        return "allOf"
    if schema.get("properties"):
        return "object"
    return None


def _walk(name: str, schema: Any, path: str) -> Iterator[InlineSchema]:
    if not isinstance(schema, Mapping):
        return
    for prop, sub in (schema.get("properties") or {}).items():
        yield from _inline(f"{name}_{prop}", sub, f"{path}.{prop}")
    items = schema.get("items")
    if isinstance(items, Mapping):
        yield from _inline(f"{name}_inner", items, f"{path}[]")
    for keyword in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(keyword, []):
            yield from _walk(name, sub, path)


def _inline(generator_name: str, schema: Any, path: str) -> Iterator[InlineSchema]:
    if not isinstance(schema, Mapping) or "$ref" in schema:
        return
    kind = _needs_a_model(schema)
    if kind is not None:
        yield InlineSchema(path, generator_name, kind)
    yield from _walk(generator_name, schema, path)


def inline_schemas(spec: Mapping[str, Any]) -> list[InlineSchema]:
    """Every schema in a component schema or a response that a generator would name itself."""
    found: list[InlineSchema] = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        found.extend(_walk(name, schema, name))
    for route, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, Mapping) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                for media, content in (response.get("content") or {}).items():
                    found.extend(
                        _inline(
                            f"{operation.get('operationId', method)}_{status}_response",
                            content.get("schema"),
                            f"{method.upper()} {route} {status} {media}",
                        )
                    )
    return found


def naming_problems(spec: Mapping[str, Any]) -> list[str]:
    """One line per inline schema; a collision with a component schema says so first."""
    components = {
        generated_class_name(name): name for name in spec.get("components", {}).get("schemas", {})
    }
    problems = []
    for inline in inline_schemas(spec):
        clash = components.get(inline.class_name)
        if clash is not None:
            problems.append(
                f"collision: {inline.where} is an inline {inline.kind} that openapi-generator "
                f"names {inline.class_name}, the name of the component schema {clash}; the "
                f"generated class replaces it. Name the {inline.kind} in components/schemas."
            )
        else:
            problems.append(
                f"unnamed: {inline.where} is an inline {inline.kind} that generators name "
                f"themselves ({inline.class_name}); name it in components/schemas."
            )
    return problems
