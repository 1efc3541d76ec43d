"""A HAR recording of every exchange of a run.

Only what went over HTTP is written: methods, URLs, headers and bodies. The client
certificate and its key live in the TLS layer, below anything recorded here; each entry
names only *which* certificate was presented ("the given certificate", "no
certificate"). The test CPR numbers are fictitious, so they are not masked.

An answer cut at the size limit is recorded by its start only, with a note saying so:
whatever a server sends, the recording grows by a bounded amount per request.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import dataclasses
import datetime as dt
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlsplit

import harfile

from kpb_ext import MAX_RESPONSE_BYTES

from ._findings import Assumption, masked
from ._transport import Exchange

__all__ = [
    "CURRENT_ASSUMPTIONS",
    "CURRENT_CASE",
    "CURRENT_CHECK",
    "HarRecording",
    "Recording",
    "RecordingError",
    "read_recording",
]

#: The pytest test on whose behalf requests are being made, for the entries' comments.
CURRENT_CHECK: contextvars.ContextVar[str] = contextvars.ContextVar(
    "kpb_contract_check", default=""
)
#: For schemathesis's requests: the phase and whether the case is valid ("fuzzing, negative").
CURRENT_CASE: contextvars.ContextVar[str] = contextvars.ContextVar("kpb_contract_case", default="")
#: The assumptions seen while the current test runs, for its JUnit properties and verdict.
CURRENT_ASSUMPTIONS: contextvars.ContextVar[list[Assumption] | None] = contextvars.ContextVar(
    "kpb_contract_assumptions", default=None
)


#: What the recording keeps of an answer cut at the limit: enough to tell what it was
#: (at most ~100 kB in the HAR, even when every byte must be written as \u0000).
CUT_ANSWER_RECORDED: Final = 16 * 1024
_CUT_NOTE = (
    "cut at {limit:,} bytes, decompressed: the answer went on; its first {kept:,} bytes "
    "are recorded"
)


def _version() -> str:
    try:
        return version("kpb")
    except PackageNotFoundError:
        return "unknown"


class HarRecording:
    """Appends each exchange to a HAR 1.2 file; valid JSON once closed."""

    def __init__(self, path: Path, *, comment: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._har = harfile.HarFile.open(
            str(path),
            creator=harfile.Creator(name="kpb contract", version=_version()),
            comment=comment,
        )
        self.entries = 0

    def __call__(self, exchange: Exchange) -> None:
        exchange = _masked(exchange)
        query = [
            harfile.Record(name=k, value=v) for k, v in parse_qsl(urlsplit(exchange.url).query)
        ]
        request = harfile.Request(
            method=exchange.method,
            url=exchange.url,
            httpVersion="HTTP/1.1",
            headers=[harfile.Record(name=k, value=v) for k, v in exchange.request_headers.items()],
            queryString=query,
            postData=_post_data(exchange),
            bodySize=len(exchange.request_body or b""),
        )
        body, note = exchange.body, None
        if exchange.cut:
            body = body[:CUT_ANSWER_RECORDED]
            note = _CUT_NOTE.format(limit=MAX_RESPONSE_BYTES, kept=len(body))
        text, encoding = _text(body)
        response = harfile.Response(
            # HAR's convention for a request that got no response
            status=exchange.status or 0,
            statusText=exchange.reason,
            httpVersion="HTTP/1.1" if exchange.status else "",
            headers=[harfile.Record(name=k, value=v) for k, v in exchange.response_headers.items()],
            content=harfile.Content(
                size=len(body),
                mimeType=exchange.content_type,
                text=text,
                encoding=encoding,
                comment=note,
            ),
            bodySize=len(exchange.body) if exchange.status else -1,
            comment=exchange.error,
        )
        milliseconds = round(exchange.elapsed * 1000, 3)
        check, case = CURRENT_CHECK.get(), CURRENT_CASE.get()
        comment = f"client: {exchange.identity}"
        comment += f"; check: {check}" if check else ""
        comment += f"; case: {case}" if case else ""
        with self._lock:
            self._har.add_entry(
                startedDateTime=exchange.started,
                time=milliseconds,
                request=request,
                response=response,
                timings=harfile.Timings(send=0, wait=milliseconds, receive=0),
                comment=comment,
            )
            self.entries += 1

    def close(self) -> None:
        with self._lock:
            self._har.close()


def _masked(exchange: Exchange) -> Exchange:
    """The exchange with every CPR number in the answer masked but the test numbers: a
    recording is meant to travel (to a teammate, to KPB support), and an answer with
    someone else's number must not take it along. The request is kept as it was sent, so
    that a replay finds it: the suite sends only the test numbers and values it made up."""

    def headers(values: Mapping[str, str]) -> dict[str, str]:
        return {name: masked(value) for name, value in values.items()}

    def body(content: bytes | None) -> bytes | None:
        if not content:
            return content
        try:
            return masked(content.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return content  # recorded as base64, as it came

    return dataclasses.replace(
        exchange,
        response_headers=headers(exchange.response_headers),
        body=body(exchange.body) or b"",
        error=masked(exchange.error) if exchange.error else exchange.error,
    )


def _text(body: bytes) -> tuple[str | None, str | None]:
    if not body:
        return None, None
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def _post_data(exchange: Exchange) -> harfile.PostData | None:
    if not exchange.request_body:
        return None
    mime = next((v for k, v in exchange.request_headers.items() if k.lower() == "content-type"), "")
    text, _ = _text(exchange.request_body)
    return harfile.PostData(mimeType=mime, text=text)


# -- reading a recording back ------------------------------------------------------------

_CLIENT = re.compile(r"(?:^|; )client: (?P<identity>[^;]*)")
_TARGET = re.compile(r"kpb contract against (?P<url>\S+)")


class RecordingError(Exception):
    """A file is not a HAR recording that can be read."""


@dataclass(frozen=True)
class Recording:
    """The exchanges of a HAR file, and the base URL they were made against."""

    base_url: str
    exchanges: tuple[Exchange, ...]


def read_recording(path: Path) -> Recording:
    """The exchanges of the HAR file *path*, as the run that wrote it saw them.

    A recording of ``kpb contract`` names its target and, for each entry, the certificate
    presented; another tool's HAR gets its base URL from the first ``/api`` URL and every
    entry counts as made with the given certificate.
    """
    try:
        log = json.loads(path.read_bytes())["log"]
        entries = log["entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RecordingError(f"{path} is not a HAR recording ({type(exc).__name__})") from None
    try:
        exchanges = tuple(_exchange(entry) for entry in entries)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise RecordingError(f"{path} has an entry that is not HAR 1.2 ({exc})") from None
    found = _TARGET.search(str(log.get("comment") or ""))
    base_url = found.group("url") if found else _base_url(exchanges)
    if not base_url:
        raise RecordingError(f"{path} holds no request to a KPB /api URL")
    return Recording(base_url.rstrip("/"), exchanges)


def _base_url(exchanges: tuple[Exchange, ...]) -> str:
    for exchange in exchanges:
        head, marker, _ = exchange.url.partition("/api")
        if marker:
            return head + marker
    return ""


def _exchange(entry: dict[str, object]) -> Exchange:
    request, response = entry["request"], entry["response"]
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise TypeError("request and response must be objects")
    content = response.get("content") or {}
    if not isinstance(content, dict):
        raise TypeError("content must be an object")
    text = content.get("text") or ""
    body = base64.b64decode(text) if content.get("encoding") == "base64" else text.encode()
    post = request.get("postData") or {}
    identity = _CLIENT.search(str(entry.get("comment") or ""))
    status = int(response.get("status") or 0)
    return Exchange(
        started=dt.datetime.fromisoformat(str(entry["startedDateTime"])),
        elapsed=float(str(entry.get("time") or 0)) / 1000,
        method=str(request["method"]),
        url=str(request["url"]),
        request_headers=_headers(request.get("headers")),
        request_body=str(post.get("text")).encode() if isinstance(post, dict) and post else None,
        identity=identity.group("identity") if identity else "the given certificate",
        status=status or None,
        reason=str(response.get("statusText") or ""),
        response_headers=_headers(response.get("headers")),
        body=body,
        error=str(response["comment"]) if not status and response.get("comment") else None,
        cut=str(content.get("comment") or "").startswith(_CUT_NOTE.split("{", 1)[0]),
    )


def _headers(records: object) -> dict[str, str]:
    if not isinstance(records, list):
        return {}
    return {str(r["name"]): str(r["value"]) for r in records if isinstance(r, dict)}
