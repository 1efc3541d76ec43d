"""Reading answers, and the facts of the spec the suite's own checks need."""

from __future__ import annotations

import json
from typing import Any

from ._spec import load_spec
from ._transport import Exchange

__all__ = [
    "DOCUMENTED_MEDIA_TYPE",
    "JSON_MEDIA_TYPES",
    "SECURED_PATHS",
    "is_json",
    "json_body",
    "media_type",
    "message",
]


def _secured_paths() -> tuple[str, ...]:
    paths = load_spec()["paths"]
    return tuple(path for path, item in paths.items() if item["get"].get("security") != [])


#: The routes that need a client certificate: every one but ``/test``.
SECURED_PATHS = _secured_paths()


def json_body(exchange: Exchange) -> Any:
    """The parsed JSON body; ``None`` for no answer or a body that is not JSON."""
    if exchange.status is None:
        return None
    try:
        return json.loads(exchange.body)
    except ValueError:
        return None


#: What the spec documents for every answer, and what Web API 2 also sends (D24).
DOCUMENTED_MEDIA_TYPE = "application/json"
JSON_MEDIA_TYPES = (DOCUMENTED_MEDIA_TYPE, "text/json")


def media_type(exchange: Exchange) -> str:
    """The answer's Content-Type without parameters, in lower case; "" for none."""
    return exchange.content_type.split(";")[0].strip().lower()


def is_json(exchange: Exchange) -> bool:
    """Whether the answer says it is JSON: ``application/json`` or Web API's other JSON
    media type, ``text/json`` (D24), with any parameters."""
    return media_type(exchange) in JSON_MEDIA_TYPES


def message(exchange: Exchange) -> str | None:
    """The ``Message`` of a JSON error body, if that is what came back."""
    body = json_body(exchange)
    if is_json(exchange) and isinstance(body, dict) and isinstance(body.get("Message"), str):
        return str(body["Message"])
    return None
