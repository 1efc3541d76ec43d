"""What the simulator puts on the wire: an answer, KPB's error body, how a route is
matched, and how a request target is masked for logs and messages.

Shared by the service, the replay of recordings and the rehearsal of failures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

__all__ = ["JSON_CONTENT_TYPE", "Answer", "error", "json_bytes", "mask_cpr", "route_path"]

_CPR_SHAPED = re.compile(r"(?<![0-9])([0-9]{6})-?[0-9]{4}(?![0-9])")


def json_bytes(value: object) -> bytes:
    # ASP.NET Web API's Json.NET: compact, UTF-8, non-ASCII letters as they are.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


#: What ASP.NET Web API 2 sends with Json.NET's answers, unless a client asks for text/json.
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer. ``content_type`` None sends no Content-Type; ``reason`` None
    sends the standard phrase of ``status``."""

    status: int
    body: bytes
    content_type: str | None = JSON_CONTENT_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    reason: str | None = None


def error(status: int, message: str, *headers: tuple[str, str]) -> Answer:
    """KPB's error answer: ``{"Message": ...}`` (PDF §3.3)."""
    return Answer(status, json_bytes({"Message": message}), headers=headers)


def route_path(path: str) -> str:
    """The form in which a path is matched against a route: as ASP.NET Web API 2 does,
    percent-decoded, without a trailing slash, and ignoring letter case."""
    return unquote(path).rstrip("/").lower()


def mask_cpr(target: str) -> str:
    """The request target for logs: every cpr value, and anything else shaped like a CPR
    number, cut to its first six characters (the birth date)."""
    path, mark, query = target.partition("?")
    pairs = []
    for pair in query.split("&") if mark else []:
        key, equals, value = pair.partition("=")
        if unquote_plus(key).lower() == "cpr":
            value = value[:6] + "****"
        pairs.append(key + equals + value)
    masked = path + mark + "&".join(pairs)
    return _CPR_SHAPED.sub(r"\1****", masked)
