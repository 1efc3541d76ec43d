"""schemathesis as the suite configures it: every phase but stateful, every check, the data
checks tightened and nothing relaxed."""

from __future__ import annotations

import pytest
from schemathesis import BaseSchema, GenerationMode

from contract_tests._bilag_a import PERSONS
from contract_tests._openapi import TEST_CPRS, build_schema

# The checks that judge one response; none of them may be off in any phase.
REQUIRED_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "unsupported_method",
    "missing_required_header",
)


@pytest.fixture(scope="module")
def schema() -> BaseSchema:
    return build_schema("https://127.0.0.1:1/api", max_examples=7, seed=3, request_timeout=5)


def test_phases(schema: BaseSchema) -> None:
    phases = schema.config.phases
    assert phases.examples.enabled
    assert phases.coverage.enabled
    assert phases.coverage.generate_duplicate_query_parameters
    assert phases.fuzzing.enabled
    assert not phases.stateful.enabled
    assert set(schema.config.generation.modes) == set(GenerationMode)
    assert schema.config.generation.max_examples == 7


@pytest.mark.parametrize("phase", ["examples", "coverage", "fuzzing"])
@pytest.mark.parametrize("path", ["/test", "/MedicalCertificate", "/Application"])
def test_every_check_is_on_in_every_phase(schema: BaseSchema, phase: str, path: str) -> None:
    checks = schema.config.checks_config_for(operation=schema[path]["GET"], phase=phase)
    for name in REQUIRED_CHECKS:
        assert checks.get_by_name(name=name).enabled, name
    assert checks.response_schema_conformance.validate_formats
    assert checks.negative_data_rejection.expected_statuses == ["4xx"]
    assert checks.positive_data_acceptance.expected_statuses == ["200"]


def test_it_targets_the_base_url_given_never_the_specs_servers(schema: BaseSchema) -> None:
    assert schema.get_base_url() == "https://127.0.0.1:1/api"


def test_the_seven_test_cprs_of_the_spec_are_those_of_bilag_a() -> None:
    assert tuple(person.cpr for person in PERSONS) == TEST_CPRS
    assert len(set(TEST_CPRS)) == 7
