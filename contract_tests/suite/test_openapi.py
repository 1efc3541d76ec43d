"""Every operation of the spec through schemathesis: the examples, coverage and fuzzing
phases, with every check (response schema, status code, content type, headers, server
errors, negative data rejected, positive data accepted).

The run's plugin turns this function into one test per operation of the run's schema.
"""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis import Case

from contract_tests._run import ContractRun


@pytest.mark.every_operation
def test_openapi(case: Case[Any], kpb: ContractRun) -> None:
    kpb.exercise(case)
