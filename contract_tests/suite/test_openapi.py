"""Every operation of the spec through schemathesis: the examples, coverage and fuzzing
phases, with every check (response schema, status code, content type, headers, server
errors, negative data rejected, positive data accepted)."""

from __future__ import annotations

from typing import Any

from schemathesis import Case

from contract_tests._plugin import active_run

_run = active_run()


@_run.schema.parametrize()
def test_openapi(case: Case[Any]) -> None:
    _run.exercise(case)
