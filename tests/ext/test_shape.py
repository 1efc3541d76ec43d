"""The body checks follow the spec: member names, required members, timestamps.

The wire names and timestamp fields come from each generated model (``WIRE_NAMES``,
``TIMESTAMP_FIELDS``), which the templates derive from the spec.
"""

from __future__ import annotations

import attrs
import pytest

import kpb_client.models as models
from contract_tests._spec import load_spec
from kpb_ext._shape import body_problem

SCHEMAS = load_spec()["components"]["schemas"]
MODELS = [
    getattr(models, name)
    for name in models.__all__
    if attrs.has(getattr(models, name)) and "properties" in SCHEMAS.get(name, {})
]


def wire_names(model: type) -> dict[str, str]:
    names: dict[str, str] = model.WIRE_NAMES  # type: ignore[attr-defined]
    return names


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_wire_names_are_the_specs_property_names(model: type) -> None:
    assert sorted(wire_names(model).values()) == sorted(SCHEMAS[model.__name__]["properties"])
    fields = [f.name for f in attrs.fields(model) if f.name != "additional_properties"]
    assert sorted(wire_names(model)) == sorted(fields)


def test_timestamp_fields_are_every_kpb_datetime_of_the_spec() -> None:
    from_spec = set()
    for model in MODELS:
        fields = {wire: field for field, wire in wire_names(model).items()}
        for wire, schema in SCHEMAS[model.__name__]["properties"].items():
            if schema.get("$ref") == "#/components/schemas/KpbDateTime":
                from_spec.add((model, fields[wire]))
    generated = {(model, field) for model in MODELS for field in model.TIMESTAMP_FIELDS}  # type: ignore[attr-defined]
    assert from_spec == generated
    assert len(from_spec) == 5


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_required_members_are_the_specs(model: type) -> None:
    required = set(SCHEMAS[model.__name__].get("required", []))
    names = wire_names(model)
    for field in attrs.fields(model):
        if field.name in names:
            assert (field.default is attrs.NOTHING) == (names[field.name] in required)


def test_problems_name_the_place_in_wire_terms() -> None:
    body = {"MedicalCertificates": [{"Id": "a16cd46c-1473-4662-8b37-bc9418724a24"}]}
    problem = body_problem(models.MedicalCertificatesResponse, body)
    assert problem == ".MedicalCertificates[0].IssueDate is missing"
