"""The spec itself: valid OpenAPI 3.1, complete, and its examples valid."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from contract_tests._spec import load_spec, spec_path
from tests.support.bilag_a import BY_EXAMPLE_NAME as TEST_CPRS
from tests.support.validators import response_validator, validator_for


def test_validates_as_openapi_3_1() -> None:
    document, _ = read_from_filename(str(spec_path()))
    validate(document)  # raises on any violation
    assert document["openapi"].startswith("3.1")


def test_servers_are_test_then_production() -> None:
    # Generators take the first server as the default base URL: it must not be production.
    urls = [server["url"] for server in load_spec()["servers"]]
    assert urls == [
        "https://service-kpbt2.knowledgecube.net/api",
        "https://service-koreprovebooking.dk/api",
    ]
    assert all(server.get("description") for server in load_spec()["servers"])


def test_operations_and_security() -> None:
    paths = load_spec()["paths"]
    assert {p: op["get"]["operationId"] for p, op in paths.items()} == {
        "/test": "getTest",
        "/MedicalCertificate": "getMedicalCertificates",
        "/Application": "getApplications",
    }
    assert paths["/test"]["get"]["security"] == []
    for path in ("/MedicalCertificate", "/Application"):
        assert paths[path]["get"]["security"] == [{"functionCertificate": []}]
    scheme = load_spec()["components"]["securitySchemes"]["functionCertificate"]
    assert scheme["type"] == "mutualTLS"


def test_cpr_parameter_has_the_seven_test_persons() -> None:
    cpr = load_spec()["components"]["parameters"]["Cpr"]
    assert cpr["required"] is True
    assert cpr["in"] == "query"
    assert {name: ex["value"] for name, ex in cpr["examples"].items()} == TEST_CPRS
    validator = validator_for("/components/parameters/Cpr/schema")
    for value in TEST_CPRS.values():
        validator.validate(value)
    for bad in ["070261-4074", "070261407", "07026140745", "07026l4074", ""]:
        assert not validator.is_valid(bad), bad


@pytest.mark.parametrize("path", ["/MedicalCertificate", "/Application"])
def test_secured_operations_document_every_error(path: str) -> None:
    responses = load_spec()["paths"][path]["get"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404"}


def _media_examples() -> list[tuple[str, int, str, Any]]:
    found = []
    spec = load_spec()
    for path, item in spec["paths"].items():
        for status, response in item["get"]["responses"].items():
            if "$ref" in response:
                name = response["$ref"].rsplit("/", 1)[-1]
                response = spec["components"]["responses"][name]
            media = response["content"]["application/json"]
            examples = {k: v["value"] for k, v in media.get("examples", {}).items()}
            if "example" in media:
                examples["example"] = media["example"]
            found += [(path, int(status), k, v) for k, v in examples.items()]
    return found


@pytest.mark.parametrize(("path", "status", "name", "value"), _media_examples())
def test_every_response_example_validates(path: str, status: int, name: str, value: Any) -> None:
    response_validator(path, status).validate(value)


def test_every_documented_error_message_has_an_example() -> None:
    messages = {
        example["value"]["Message"]
        for response in load_spec()["components"]["responses"].values()
        for example in response["content"]["application/json"]["examples"].values()
    }
    assert {
        'Parameter "cpr" mangler.',
        "Certificate required",
        "Certificate not verified",
        "Certificate doesn't exist",
        "Access not allowed for Certificate",
        "HTTPS Required",
    } <= messages
    assert any(
        m.startswith("No HTTP resource was found that matches the request URI '") for m in messages
    )


def test_fields_of_the_pdf_tables_are_required() -> None:
    schemas = load_spec()["components"]["schemas"]
    assert set(schemas["MedicalCertificate"]["required"]) == {
        "Id",
        "Status",
        "IssueDate",
        "ReceiveDate",
        "ExpireDate",
        "MedicalCertificateGroups",
    }
    assert set(schemas["MedicalCertificateGroup"]["required"]) == {
        "Id",
        "Name",
        "LicenseCategories",
    }
    assert set(schemas["LicenseCategory"]["required"]) == {"Id", "Code", "Name"}
    assert set(schemas["Application"]["required"]) == {
        "Id",
        "LicenseCategoryCode",
        "LicenseCategoryName",
        "ExamTypeCode",
        "ExamTypeName",
        "ApplicationStatus",
        "ApplicationExams",
        "ApplicationEvents",
    }
    assert set(schemas["ApplicationExam"]["required"]) == {"ExamDate", "ExamLocation", "ExamStatus"}
    assert set(schemas["ApplicationEvent"]["required"]) == {"Type", "Name", "User", "CreatedDate"}
    # Shown only in the PDF's example: present, nullable, not promised.
    for field in ("CommentFurtherProccessing", "CommentRejected"):
        assert schemas["Application"]["properties"][field]["type"] == ["string", "null"]
        assert field not in schemas["Application"]["required"]


def test_added_fields_are_allowed() -> None:
    """KPB may add members: consumers must not break on them, nor the contract flag them."""
    schemas = load_spec()["components"]["schemas"]
    assert not any(s.get("additionalProperties") is False for s in schemas.values())
