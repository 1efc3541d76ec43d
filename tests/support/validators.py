"""Validators against spec/kpb.openapi.yaml, for the project's tests (JSON Schema 2020-12,
``$ref``s resolved through the whole document, formats checked: nothing relaxed)."""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contract_tests._spec import load_spec

_SPEC_URI = "urn:kpb:openapi"


@functools.cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = DRAFT202012.create_resource(load_spec())
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    return registry


def validator_for(pointer: str) -> Draft202012Validator:
    """A validator for the schema at a JSON pointer into the spec, ``$ref``s resolved.

    Formats (``uuid``) are checked: nothing is relaxed.
    """
    return Draft202012Validator(
        {"$ref": f"{_SPEC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_validator(name: str) -> Draft202012Validator:
    """A validator for ``#/components/schemas/<name>``."""
    return validator_for(f"/components/schemas/{name}")


def response_validator(path: str, status: int) -> Draft202012Validator:
    """A validator for the JSON body of ``GET <path>`` answering ``status``."""
    pointer = f"/paths/{_escape(path)}/get/responses/{status}"
    response = resolve(pointer)
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
    return validator_for(f"{pointer}/content/application~1json/schema")


def resolve(pointer: str) -> Any:
    """The object at a JSON pointer into the spec (no ``$ref`` following)."""
    node: Any = load_spec()
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
