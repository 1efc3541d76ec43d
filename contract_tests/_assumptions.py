"""The spec's assumptions, held against what a server answers.

Functions of an exchange only, so that the suite calls them as its requests come back,
and a recording (``exchanges.har``) can be read the same way afterwards. Every result
names its DISCREPANCIES.md entry; none of them is a violation. What is wrong for any
server (a 5xx, an error body that is not ``{"Message"}`` JSON, a member missing or of a
wrong type) is judged by the schema and status checks, not here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from ._answers import DOCUMENTED_MEDIA_TYPE, JSON_MEDIA_TYPES, json_body, media_type, message
from ._codes import undocumented_codes
from ._findings import Assumption, Verdict, curl_command, describe_answer
from ._messages import documented_messages
from ._spec import load_spec, response_schema
from ._transport import Exchange

__all__ = [
    "UNCHECKED",
    "Reference",
    "answer_assumptions",
    "bad_cpr_assumption",
    "cpr_case",
    "data_route",
    "method_assumption",
    "not_found_assumption",
    "query_cpr",
    "spelling_assumption",
]

#: The answer to a data route with one cpr: ``reference(route, cpr)``, or None.
Reference = Callable[[str, str], Exchange | None]

#: Assumptions that no request can show, and why. Every other assumption of
#: DISCREPANCIES.md has a check in the suite (a test keeps the two lists complete).
UNCHECKED: Final[Mapping[str, str]] = {
    "D13": "how the spec writes its server URLs; both forms reach the same resources",
    **{
        f"B{n}": "how the simulator's data fills a gap in Bilag A; the data checks hold the "
        "target's data against what Bilag A itself states"
        for n in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12)
    },
}

_DATA_ROUTES: Final = {"/medicalcertificate": "/MedicalCertificate", "/application": "/Application"}
# D6: the name the spec gives event type 3, which Bilag B names like code 4.
_EVENT_3: Final = "Prøveforløb godkendt"
# B3: the code the simulator gives Bilag A's "Klar til bestilling".
_READY_FOR_BOOKING: Final = ("Klar til bestilling", 12)


def data_route(exchange: Exchange, base_url: str) -> str | None:
    """``/Application`` or ``/MedicalCertificate`` (as the spec spells it) for a data
    service's URL in any letter case (D15); None for any other URL."""
    path = urlsplit(exchange.url).path
    base = urlsplit(base_url).path.rstrip("/")
    if not path.lower().startswith(base.lower()):
        return None
    return _DATA_ROUTES.get(path[len(base) :].rstrip("/").lower())


def query_cpr(exchange: Exchange) -> str:
    """The first ``cpr`` value of the query, in any letter case; "" without one."""
    return next((value for _, value in _cpr_params(exchange)), "")


def _cpr_params(exchange: Exchange) -> list[tuple[str, str]]:
    pairs = parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)
    return [(name, value) for name, value in pairs if name.lower() == "cpr"]


def _verdict(confirmed: bool) -> Verdict:
    return "confirmed" if confirmed else "contradicted"


def _json_message(text: str) -> str:
    return json.dumps({"Message": text}, ensure_ascii=False, separators=(",", ":"))


# -- answers to requests the PDF says nothing about ---------------------------------------

_MISSING_CPR: Final = next(m.text for m in documented_messages() if m.status == 400)
#: D14's guess at the text of the 400 for a malformed or repeated cpr.
INVALID_CPR_MESSAGE: Final = 'Parameter "cpr" er ugyldig.'
_NOT_FOUND: Final = next(m.text for m in documented_messages() if m.status == 404)


def cpr_case(params: list[tuple[str, str]]) -> str:
    """What kind of bad ``cpr`` a query carries, for grouping D14's results."""
    if len(params) > 1:
        if len({name for name, _ in params}) > 1:
            return "a repeated cpr, other letter case"
        if len({value for _, value in params}) > 1:
            return "a repeated cpr, two numbers"
        return "a repeated cpr"
    if params == [("cpr", "")]:
        return "an empty cpr"
    return "a cpr that is not 10 digits"


def bad_cpr_assumption(
    exchange: Exchange, route: str, reference: Reference | None = None
) -> Assumption | None:
    """D14: what a data route answered to an empty, malformed or repeated ``cpr``; None
    for any other request. *reference* finds the answer to one well-formed value, to
    tell whose data a 200 carried."""
    params = _cpr_params(exchange)
    if not params or (len(params) == 1 and _is_cpr(params[0][1])) or exchange.status is None:
        return None
    if exchange.status == 401:
        return None  # the certificate was refused first: nothing shown about the cpr
    text = _MISSING_CPR if params == [("cpr", "")] else INVALID_CPR_MESSAGE
    query = "&".join(f"{name}={value}" for name, value in params)
    return Assumption(
        "D14",
        f"{cpr_case(params)} ({query})",
        _verdict(exchange.status == 400 and message(exchange) == text),
        f"400 {_json_message(text)}",
        _whose_data(exchange, route, [value for _, value in params], reference),
        curl_command(exchange),
    )


def _is_cpr(value: str) -> bool:
    return len(value) == 10 and value.isascii() and value.isdigit()


def _whose_data(
    exchange: Exchange, route: str, values: list[str], reference: Reference | None
) -> str:
    """The answer, and for data, whose it was (Web API 2 binds the first of a repeated
    parameter)."""
    answer = describe_answer(exchange, limit=100)
    if exchange.status != 200:
        return answer
    body = json_body(exchange)
    for position, value in enumerate(dict.fromkeys(values)):
        found = reference(route, value) if reference is not None and _is_cpr(value) else None
        if found is not None and found.status == 200 and json_body(found) == body:
            which = ("the first", "the second")[min(position, 1)] if len(values) > 1 else "that"
            return f"200 with the data of {which} value (cpr={value})"
    if isinstance(body, dict) and all(v in ([], None) for v in body.values()):
        return "200 with no data"
    return answer


def not_found_assumption(exchange: Exchange, tried: str) -> Assumption | None:
    """D12: how the 404 message goes on after the beginning PDF §3.3 gives; None when the
    answer is no such 404 (the beginning itself is a fact, checked elsewhere)."""
    text = message(exchange) or ""
    if exchange.status != 404 or not text.startswith(_NOT_FOUND):
        return None
    quoted = text.removeprefix(_NOT_FOUND + " '").removesuffix("'.")
    return Assumption(
        "D12",
        "the end of the 404 message",
        _verdict(
            text.startswith(_NOT_FOUND + " '")
            and text.endswith("'.")
            and urlsplit(quoted).path.lower().endswith(tried.lower())
        ),
        "the request URI in single quotes and a full stop",
        repr(text[len(_NOT_FOUND) :]),
        curl_command(exchange),
    )


def spelling_assumption(
    exchange: Exchange, canonical: Exchange, spelling: str
) -> Assumption | None:
    """D15: whether a route or parameter name in another letter case gets the answer of
    the canonical spelling; None when either got no answer."""
    if exchange.status in (None, 401) or canonical.status in (None, 401):
        return None
    same = exchange.status == canonical.status and exchange.body == canonical.body
    return Assumption(
        "D15",
        spelling,
        _verdict(same),
        "the same answer as the canonical spelling (/Application, cpr)",
        "the same answer" if same else describe_answer(exchange, limit=100),
        curl_command(exchange),
    )


def method_assumption(exchange: Exchange, route: str) -> Assumption | None:
    """D19: what a method the spec does not define gets; None for GET or no answer."""
    if exchange.method == "GET" or exchange.status in (None, 401):
        return None  # a refused certificate shows nothing about the method
    allow = next((v for k, v in exchange.response_headers.items() if k.lower() == "allow"), "")
    return Assumption(
        "D19",
        f"{exchange.method} {route}, which the spec does not define",
        _verdict(exchange.status == 405 and "GET" in allow.upper()),
        "405 with an Allow header, as ASP.NET answers",
        describe_answer(exchange, limit=100) + (f" (Allow: {allow})" if allow else ""),
        curl_command(exchange),
    )


def answer_assumptions(exchange: Exchange, base_url: str) -> list[Assumption]:
    """What one answer shows about the spec's assumptions."""
    if exchange.status is None:
        return []
    try:
        body = json.loads(exchange.body)
    except ValueError:
        return []
    found: list[Assumption] = []
    reproduce = curl_command(exchange)

    def add(entry: str, subject: str, assumed: str, observed: str, confirmed: bool) -> None:
        found.append(Assumption(entry, subject, _verdict(confirmed), assumed, observed, reproduce))

    sent_as = media_type(exchange)
    if sent_as in JSON_MEDIA_TYPES:
        add(
            "D24",
            "the media type of a JSON answer",
            f"{DOCUMENTED_MEDIA_TYPE}, as Web API 2 sends unless asked for text/json",
            sent_as,
            sent_as == DOCUMENTED_MEDIA_TYPE,
        )
    if exchange.status >= 400 and isinstance(body, dict) and "Message" in body:
        extra = sorted(set(body) - {"Message"})
        if extra:
            add(
                "D18",
                f"{exchange.status} error body",
                "members beside Message are allowed",
                f"{', '.join(extra)} beside Message",
                True,
            )
        return found
    route = data_route(exchange, base_url)
    if exchange.status != 200 or route is None or not isinstance(body, dict):
        return found

    operation = f"GET {route}"
    for path, kind, member in _walk(response_schema(route), body, ""):
        if kind == "null":
            add("D22", f"{operation} {path}", "may be null", "null", True)
        elif kind == "null value":
            add(
                "D22",
                f"{operation} {path}",
                "never null: a value type (integer code, DateTime or Guid)",
                "null",
                False,
            )
        else:
            add(
                "D23",
                f"{operation} {path}.{member}",
                "members the spec does not name may come",
                "sent; the spec does not name it",
                True,
            )
    for code in undocumented_codes(route, query_cpr(exchange), body):
        found.append(
            Assumption(
                "D4",
                f"{code.kind} code {code.code} {code.name!r}",
                "confirmed",
                "codes outside Bilag B come, with their Name",
                f"undocumented; first seen in {code.operation} cpr={code.cpr}",
                reproduce,
                code=code,
            )
        )
    for application in _objects(body.get("Applications")):
        status = application.get("ApplicationStatus")
        status = status if isinstance(status, dict) else {}
        sent = status.get("Code")
        # a code of the wrong type is the schema checks' violation, not news about B3
        if type(sent) is int and status.get("Name") == _READY_FOR_BOOKING[0]:
            add(
                "B3",
                f'application status "{_READY_FOR_BOOKING[0]}"',
                f"code {_READY_FOR_BOOKING[1]}",
                f"code {sent!r}",
                sent == _READY_FOR_BOOKING[1],
            )
        present = [m for m in ("CommentFurtherProccessing", "CommentRejected") if m in application]
        add(
            "D8",
            f"{operation} CommentFurtherProccessing and CommentRejected",
            "optional: sent or left out",
            "sent" if present else "left out",
            True,
        )
        for event in _objects(application.get("ApplicationEvents")):
            kind_of = event.get("Type")
            if isinstance(kind_of, str):
                add(
                    "D3",
                    f"{operation} ApplicationEvents[].Type",
                    "an integer code (the PDF's example)",
                    f"a string, as the PDF's table types it ({kind_of!r})",
                    False,
                )
            elif isinstance(kind_of, int) and not isinstance(kind_of, bool):
                add(
                    "D3",
                    f"{operation} ApplicationEvents[].Type",
                    "an integer code (the PDF's example)",
                    "an integer code",
                    True,
                )
                if kind_of == 3:
                    add(
                        "D6",
                        "event type 3",
                        f"named {_EVENT_3!r}, as in the PDF's example",
                        f"named {event.get('Name')!r}",
                        event.get("Name") == _EVENT_3,
                    )
    # One result per finding and answer: an answer's twenty events say it once.
    return list({assumption.key: assumption for assumption in found}.values())


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


# -- the spec's schemas, walked beside a body ---------------------------------------------


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        node: Any = load_spec()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


_JSON_TYPES: Final[dict[type, str]] = {
    dict: "object",
    list: "array",
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
}


def _types(schema: Mapping[str, Any]) -> set[str]:
    declared = schema.get("type", ())
    return {declared} if isinstance(declared, str) else set(declared)


def _accepts(schema: Mapping[str, Any], value: Any) -> bool:
    kind = _JSON_TYPES.get(type(value))
    if "anyOf" in schema:
        return any(_accepts(_resolve(branch), value) for branch in schema["anyOf"])
    return kind in _types(schema) or (kind == "integer" and "number" in _types(schema))


Visit = Iterator[tuple[str, str, str]]


def _walk(schema: Mapping[str, Any], value: Any, path: str) -> Visit:
    """``(path, "null", "")`` for each null the schema allows, ``(path, "null value",
    "")`` for one it does not (a value type, by D22), and ``(path, "unknown", member)`` for
    each member it does not name; the rest is the schema checks' job."""
    schema = _resolve(schema)
    if value is None:
        yield path.lstrip("."), "null" if _accepts_null(schema) else "null value", ""
        return
    if "anyOf" in schema:
        branch = next(
            (b for b in map(_resolve, schema["anyOf"]) if _accepts(b, value) and b != {}), None
        )
        if branch is not None:
            yield from _walk(branch, value, path)
        return
    if isinstance(value, dict) and "object" in _types(schema):
        properties: Mapping[str, Any] = schema.get("properties", {})
        for member, item in value.items():
            if member in properties:
                yield from _walk(properties[member], item, f"{path}.{member}")
            else:
                yield path.lstrip(".") or "(top level)", "unknown", member
    elif isinstance(value, list) and "array" in _types(schema):
        for item in value:
            yield from _walk(schema.get("items", {}), item, f"{path}[]")


def _accepts_null(schema: Mapping[str, Any]) -> bool:
    if "anyOf" in schema:
        return any(_accepts_null(_resolve(branch)) for branch in schema["anyOf"])
    return "null" in _types(schema)
