"""schemathesis's failures, told in KPB's terms: what the spec says, what came back, and
whether it breaks the contract or only contradicts one of the spec's assumptions."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from schemathesis import Case, Response
from schemathesis.core.failures import AcceptedNegativeData, Failure, ServerError
from schemathesis.openapi.checks import (
    JsonSchemaError,
    MissingContentType,
    RejectedPositiveData,
    UndefinedContentType,
    UndefinedStatusCode,
    UnsupportedMethodResponse,
)

from ._answers import DOCUMENTED_MEDIA_TYPE, JSON_MEDIA_TYPES, media_type
from ._assumptions import cpr_case
from ._findings import Assumption, curl_command, describe_answer
from ._spec import first_error
from ._transport import Exchange

__all__ = ["assumption_of", "explain", "failure_key"]

#: What D14 assumes a malformed, empty or repeated cpr gets.
CPR_REFUSAL = '400 with a {"Message"} body'


def assumption_of(
    failure: Failure, case: Case[Any], response: Response, exchange: Exchange | None
) -> Assumption | None:
    """The assumption a failure contradicts, or None when it breaks the contract.

    A server error never counts as an assumption, nor does answering a request without
    any ``cpr`` (PDF §3.3 documents that 400).
    """
    answer = describe_answer(exchange) if exchange else str(response.status_code)
    reproduce = curl_command(exchange) if exchange else ""
    method = (response.request.method or case.method).upper()
    if method != "GET" and response.status_code == 501:
        # "Not Implemented" is what HTTP names for a method a server does not know
        # (RFC 9110 §15.6.2): no server error, only not what ASP.NET answers.
        return Assumption(
            "D19",
            f"{method} {case.operation.path}, which the spec does not define",
            "contradicted",
            "405 with an Allow header, as ASP.NET answers",
            answer,
            reproduce,
        )
    if response.status_code >= 500:
        return None
    if isinstance(failure, UndefinedContentType) and exchange is not None:
        sent_as = media_type(exchange)
        if sent_as in JSON_MEDIA_TYPES and sent_as != DOCUMENTED_MEDIA_TYPE:
            return Assumption(
                "D24",
                "the media type of a JSON answer",
                "contradicted",
                f"{DOCUMENTED_MEDIA_TYPE}, as Web API 2 sends unless asked for text/json",
                sent_as,
                reproduce,
            )
    if isinstance(failure, AcceptedNegativeData):
        params = [
            (name, value)
            for name, value in parse_qsl(urlsplit(response.request.url or "").query, True)
            if name.lower() == "cpr"
        ]
        if not params:
            return None
        return Assumption("D14", cpr_case(params), "contradicted", CPR_REFUSAL, answer, reproduce)
    if isinstance(failure, UnsupportedMethodResponse):
        return Assumption(
            "D19",
            f"{case.method.upper()} {case.operation.path}, which the spec does not define",
            "contradicted",
            "405 with an Allow header, as ASP.NET answers",
            answer,
            reproduce,
        )
    return None


def explain(failure: Failure, response: Response, exchange: Exchange | None) -> tuple[str, str]:
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
        return f"a 400 answer to invalid input ({invalid or 'invalid request'})", answer
    if isinstance(failure, RejectedPositiveData):
        return "200 for a valid request with a test CPR number", answer
    if isinstance(failure, UnsupportedMethodResponse):
        return "405 with an Allow header for a method the spec does not define", answer
    return failure.title, f"{answer} ({_first_line(failure.message)})"


def _innermost(failure: JsonSchemaError) -> tuple[list[str | int], str, str]:
    """Where and why, inside an ``anyOf`` that no branch satisfies (a nullable object,
    an open code set): the reason of the branch that got furthest into the value."""
    path = list(failure.instance_path)
    keyword = str(failure.schema_path[-1]) if failure.schema_path else "schema"
    message = failure.validation_message or failure.title
    if keyword not in ("anyOf", "oneOf"):
        return path, keyword, message
    error = first_error(failure.schema, failure.instance)
    if error is not None:
        keyword = str(error.schema_path[-1]) if error.schema_path else keyword
        message = error.message
        path += list(error.instance_path)
    return path, keyword, message


def _line_after(text: str, marker: str) -> str:
    for line in text.splitlines():
        if marker in line:
            return line.split(marker, 1)[1].strip()
    return ""


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def failure_key(failure: Failure) -> str:
    # the JSON Schema keyword's location, or whatever else tells failures of a kind apart
    if isinstance(failure, JsonSchemaError):
        return "/".join(map(str, failure.schema_path))
    return type(failure).__name__
