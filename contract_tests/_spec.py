"""Locate, load and validate against spec/kpb.openapi.yaml.

A source checkout (or an editable install) uses the spec in the checkout, so an edit
is seen at once; an installed wheel carries a copy in the ``kpb_spec`` directory.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    # The validators serve the project's tests; `kpb contract` needs only load_spec().
    from jsonschema import Draft202012Validator
    from referencing import Registry

SPEC_NAME = "kpb.openapi.yaml"
_SPEC_URI = "urn:kpb:openapi"


def spec_path() -> Path:
    """The spec that this installation was built from."""
    checkout = Path(__file__).resolve().parent.parent / "spec" / SPEC_NAME
    if checkout.is_file():
        return checkout
    installed = importlib.resources.files("kpb_spec") / SPEC_NAME
    return Path(str(installed))


@functools.cache
def load_spec() -> dict[str, Any]:
    with spec_path().open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


@functools.cache
def _registry() -> Registry[Any]:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource: Resource[Any] = DRAFT202012.create_resource(load_spec())
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    return registry


def validator_for(pointer: str) -> Draft202012Validator:
    """A validator for the schema at a JSON pointer into the spec, ``$ref``s resolved.

    Formats (``uuid``) are checked: nothing is relaxed.
    """
    from jsonschema import Draft202012Validator

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
