"""One run of the suite against one target: what the tests call to reach it and report."""

from __future__ import annotations

import json
import ssl
from collections import deque
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema_rs
import requests
import schemathesis
from schemathesis import Case, CheckResult, HookContext, Response
from schemathesis.core.failures import AcceptedNegativeData, Failure, ServerError
from schemathesis.engine import Status
from schemathesis.openapi.checks import (
    JsonSchemaError,
    MissingContentType,
    RejectedPositiveData,
    UndefinedContentType,
    UndefinedStatusCode,
    UnsupportedMethodResponse,
)

from ._codes import undocumented_codes
from ._findings import ContractViolation, Findings, Violation, curl_command, describe_answer
from ._identity import Identity
from ._messages import find_documented
from ._openapi import build_schema, pin_test_cprs
from ._recording import CURRENT_CASE, CURRENT_CHECK
from ._spec import load_spec
from ._target import Limits, Target
from ._transport import Exchange, Transport

__all__ = ["REQUEST_TIMEOUT", "ContractRun"]

#: Seconds to wait for an answer.
REQUEST_TIMEOUT = 30.0

Params = Sequence[tuple[str, str]]


class ContractRun:
    """The target, the transport and the findings of one run, shared by all its tests."""

    def __init__(
        self, target: Target, limits: Limits, transport: Transport, findings: Findings
    ) -> None:
        self.target = target
        self.limits = limits
        self.transport = transport
        self.findings = findings
        self._sessions: dict[tuple[str, Any, Any], requests.Session] = {}
        self._recent: deque[Exchange] = deque(maxlen=32)
        self._schema: schemathesis.BaseSchema | None = None
        transport.observe(self._recent.append)
        transport.observe(self._scan)

    # -- requests of the suite's own checks ----------------------------------------------

    def session(
        self,
        identity: Identity | None = None,
        *,
        minimum: ssl.TLSVersion | None = None,
        maximum: ssl.TLSVersion | None = None,
    ) -> requests.Session:
        """A session appearing as *identity* (the given certificate by default)."""
        identity = identity or self.target.identity
        key = (identity.label, minimum, maximum)
        if key not in self._sessions:
            self._sessions[key] = self.transport.session(identity, minimum=minimum, maximum=maximum)
        return self._sessions[key]

    def close(self) -> None:
        """Close every session's connections."""
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()

    def request(
        self,
        path: str,
        *,
        params: Params = (),
        identity: Identity | None = None,
        method: str = "GET",
        base_url: str | None = None,
        minimum: ssl.TLSVersion | None = None,
        maximum: ssl.TLSVersion | None = None,
    ) -> Exchange:
        """Send one request; the exchange carries the answer or, instead, the error."""
        session = self.session(identity, minimum=minimum, maximum=maximum)
        url = (base_url or self.target.base_url) + path
        with self.transport.capture() as captured:
            try:
                session.request(
                    method,
                    url,
                    params=list(params),
                    timeout=REQUEST_TIMEOUT,
                    allow_redirects=False,
                )
            except requests.RequestException:
                if not captured:
                    raise
        return captured[-1]

    def violation(
        self, exchange: Exchange, *, check: str, expected: str, operation: str | None = None
    ) -> ContractViolation:
        """The exception a check raises when *exchange* is not what the spec says."""
        route = urlsplit(exchange.url).path.removeprefix(urlsplit(self.target.base_url).path)
        return ContractViolation(
            Violation(
                operation=operation or f"{exchange.method} {route}",
                check=check,
                expected=expected,
                actual=describe_answer(exchange),
                reproduce=curl_command(exchange),
                test=CURRENT_CHECK.get(),
            )
        )

    # -- schemathesis -------------------------------------------------------------------

    @property
    def schema(self) -> schemathesis.BaseSchema:
        if self._schema is None:
            schema = build_schema(
                self.target.base_url,
                max_examples=self.limits.max_examples,
                seed=self.limits.seed,
                request_timeout=REQUEST_TIMEOUT,
                shrink=self.limits.shrink,
            )

            # schemathesis marks a hook function with attributes, which a bound method refuses
            def after_validate(
                context: HookContext,
                case: Case[Any],
                response: Response,
                results: list[CheckResult],
            ) -> None:
                self._after_validate(context, case, response, results)

            schema.hook("after_validate")(after_validate)
            self._schema = schema
        return self._schema

    def exercise(self, case: Case[Any]) -> None:
        """Send one generated case with the given certificate and run every check on it."""
        pin_test_cprs(case)
        meta = case.meta
        token = CURRENT_CASE.set(
            f"{meta.phase.name.value}, {meta.generation.mode.value}" if meta is not None else ""
        )
        try:
            case.call_and_validate(session=self.session())
        finally:
            CURRENT_CASE.reset(token)

    def _after_validate(
        self,
        context: HookContext,
        case: Case[Any],
        response: Response,
        results: list[CheckResult],
    ) -> None:
        exchange = self._exchange_of(response)
        phase = case.meta.phase.name.value if case.meta is not None else "explicit"
        for result in results:
            if result.status != Status.FAILURE or result.failure is None:
                continue
            failure = result.failure
            expected, actual = _explain(failure, response, exchange)
            self.findings.add_violation(
                Violation(
                    operation=case.operation.label,
                    check=result.name,
                    expected=expected,
                    actual=actual,
                    reproduce=curl_command(exchange) if exchange else "",
                    test=CURRENT_CHECK.get(),
                    phase=phase,
                ),
                failure.title,
                _failure_key(failure),
            )

    def _exchange_of(self, response: Response) -> Exchange | None:
        url = response.request.url
        return next((e for e in reversed(self._recent) if e.url == url), None)

    # -- what every answer is scanned for ------------------------------------------------

    def _scan(self, exchange: Exchange) -> None:
        if exchange.status is None:
            return
        try:
            body = json.loads(exchange.body)
        except ValueError:
            return
        if isinstance(body, dict):
            documented = find_documented(exchange.status, body.get("Message"))
            if documented is not None:
                self.findings.message_reached(str(documented), exchange)
                if documented.status == 401 and exchange.identity == self.target.identity.label:
                    self.findings.refused(documented.text, exchange)
        if exchange.status == 200:
            parts = urlsplit(exchange.url)
            route = parts.path.removeprefix(urlsplit(self.target.base_url).path)
            cpr = next((v for k, v in parse_qsl(parts.query) if k.lower() == "cpr"), "")
            self.findings.drift.update(undocumented_codes(route, cpr, body))


def _failure_key(failure: Failure) -> str:
    # the JSON Schema keyword's location, or whatever else tells failures of a kind apart
    if isinstance(failure, JsonSchemaError):
        return "/".join(map(str, failure.schema_path))
    return type(failure).__name__


def _explain(failure: Failure, response: Response, exchange: Exchange | None) -> tuple[str, str]:
    """What the spec says and what came back, for one schemathesis failure."""
    answer = describe_answer(exchange) if exchange else str(response.status_code)
    if isinstance(failure, JsonSchemaError):
        path, keyword, message = _innermost(failure)
        where = "/" + "/".join(map(str, path))
        return (
            f"the {response.status_code} body at {where} satisfies the schema's {keyword!r}",
            message,
        )
    if isinstance(failure, UndefinedStatusCode):
        documented = ", ".join(failure.defined_status_codes)
        return f"one of the documented statuses {documented}", answer
    if isinstance(failure, (UndefinedContentType, MissingContentType)):
        return "Content-Type application/json", answer
    if isinstance(failure, ServerError):
        return "no server error (5xx)", answer
    if isinstance(failure, AcceptedNegativeData):
        invalid = _line_after(failure.message, "Invalid component:")
        return f"a 4xx answer to invalid input ({invalid or 'invalid request'})", answer
    if isinstance(failure, RejectedPositiveData):
        return "200 for a valid request with a test CPR number", answer
    if isinstance(failure, UnsupportedMethodResponse):
        return "405 with an Allow header for a method the spec does not define (D19)", answer
    return failure.title, f"{answer} ({_first_line(failure.message)})"


def _innermost(failure: JsonSchemaError) -> tuple[list[str | int], str, str]:
    """Where and why, inside an ``anyOf`` that no branch satisfies (a nullable object,
    an open code set): the reason of the branch that got furthest into the value."""
    path = list(failure.instance_path)
    keyword = str(failure.schema_path[-1]) if failure.schema_path else "schema"
    message = failure.validation_message or failure.title
    if keyword not in ("anyOf", "oneOf"):
        return path, keyword, message
    schema = {"components": load_spec()["components"], **failure.schema}
    error = next(iter(jsonschema_rs.validator_for(schema).iter_errors(failure.instance)), None)
    while error is not None and getattr(error.kind, "context", None):
        branches = [b for b in getattr(error.kind, "context") if b]  # noqa: B009 (AnyOf only)
        deepest = max(branches, key=lambda b: max(len(e.instance_path) for e in b))
        error = max(deepest, key=lambda e: len(e.instance_path))
        keyword = str(error.schema_path[-1]) if error.schema_path else keyword
        message = error.message
    if error is not None:
        path += list(error.instance_path)
    return path, keyword, message


def _line_after(text: str, marker: str) -> str:
    for line in text.splitlines():
        if marker in line:
            return line.split(marker, 1)[1].strip()
    return ""


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
