"""Replaying recorded answers: ``kpb sim serve --replay FILE.har``.

A recording is a HAR 1.2 file, as ``kpb contract`` writes to ``exchanges.har`` (or as
a browser or proxy exports one). Its answers are served again, keyed by method, path
and query the way ASP.NET Web API 2 matches them: the path and the parameter names
ignore letter case, values are compared as they are, and the order of the parameters
does not matter.

The simulator still decides who gets through. A request first goes through the
simulator's own checks; if it answers 401 (the certificate) or 403 (plain HTTP), that
answer stands. Only a caller it lets through gets the recorded answer, so a recording
cannot be used to get data without a registered certificate. A path that is not one of
KPB's routes gets a recorded answer only if that answer is itself an error: a recorded
success there would be data behind no certificate check.

Only exchanges of the certificate under test are replayed: in ``kpb contract``'s
recording, those of "the given certificate" (those of no certificate, of plain HTTP and
of the simulator's probe certificates show the checks above, which the simulator makes
itself); an entry without such a note (another tool's recording) counts as the
certificate under test. Entries that got no answer are left out.

Where several entries share a key, the one read last wins: files in the order given,
entries in the order of the file. So a later recording overrides an earlier one.

A recording that holds CPR numbers other than KPB's seven test numbers (in a URL, a
header or a body) is refused unless each of them is listed in an allow-list: a
recording of production would be personal data. CPR numbers are never printed in full.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from ._data import BILAG_A, load_persons
from ._http import Answer, error, mask_cpr, route_path

__all__ = ["MISS_POLICIES", "Replay", "ReplayError", "read_allowed_cprs", "request_key"]

#: What an unrecorded request gets: the simulator's own answer, or a 404 naming the miss.
MISS_POLICIES: Final = ("fallback", "404")
MissPolicy = Literal["fallback", "404"]

#: How ``kpb contract``'s recording names the certificate under test ("client: ..." in
#: each entry's comment).
GIVEN_CERTIFICATE: Final = "the given certificate"
_CLIENT_NOTE = re.compile(r"(?:^|;)\s*client:\s*([^;]*)")

# The simulator's own refusals, which a recording never overrides.
_REFUSALS: Final = frozenset({401, 403})
# Framing and per-connection headers: the simulator sends its own.
_NOT_REPLAYED: Final = frozenset(
    {
        "content-type",  # sent from Answer.content_type
        "content-length",
        "transfer-encoding",
        "content-encoding",  # the recorded body is the decoded one
        "connection",
        "keep-alive",
        "date",
        "set-cookie",
    }
)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_UNSAFE = re.compile(r"[\r\n\x00]")
# Ten digits, or six, a hyphen and four, standing alone.
_CPR_LIKE = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})-?([0-9]{4})(?![0-9A-Za-z])")

_CPR_INPUT = re.compile(r"([0-9]{6})-?([0-9]{4})")

Key = tuple[str, str, tuple[tuple[str, str], ...]]


class ReplayError(Exception):
    """A recording cannot be replayed as it is (one line, with what to do)."""


def request_key(method: str, target: str) -> Key:
    """What identifies a request for replay: the method as sent, the route path as KPB
    matches it, and the parameters with lower-case names, sorted."""
    if target.startswith("/"):
        path, _, query = target.partition("?")
    else:  # the absolute form: https://host/api/...
        parts = urlsplit(target)
        path, query = parts.path, parts.query
    params = parse_qsl(query, keep_blank_values=True)
    return method, route_path(path), tuple(sorted((k.lower(), v) for k, v in params))


def _cpr_like(text: str) -> Iterator[str]:
    """The CPR numbers in *text*: ten digits whose first six are a day and a month."""
    for found in _CPR_LIKE.finditer(text):
        digits = found.group(1) + found.group(2)
        if 1 <= int(digits[:2]) <= 31 and 1 <= int(digits[2:4]) <= 12:
            yield digits


def _normalised_cpr(value: str) -> str | None:
    found = _CPR_INPUT.fullmatch(value.strip())
    return found.group(1) + found.group(2) if found else None


def read_allowed_cprs(numbers: Iterable[str] = (), file: Path | None = None) -> frozenset[str]:
    """CPR numbers allowed in a recording: *numbers*, and the lines of *file* (one number
    a line, 10 digits or DDMMYY-SSSS; blank lines and ``#`` comments ignored)."""
    allowed = set()
    for value in numbers:
        digits = _normalised_cpr(value)
        if digits is None:
            raise ReplayError("--allow-cpr takes a CPR number: 10 digits, or DDMMYY-SSSS")
        allowed.add(digits)
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ReplayError(f"cannot read the allow-list {file}: {exc}") from None
        for number, line in enumerate(lines, start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            digits = _normalised_cpr(text)
            if digits is None:
                # The line is not echoed: it may be a mistyped real number.
                raise ReplayError(
                    f"{file}, line {number}: not a CPR number (10 digits, or DDMMYY-SSSS)"
                )
            allowed.add(digits)
    return frozenset(allowed)


class Replay:
    """Recorded answers, ready to serve; see the module's description for the rules.

    ``Replay.load(paths)`` reads and checks the recordings. ``served`` and ``missed``
    count the requests answered from the recordings and those that were not.
    """

    def __init__(
        self,
        answers: Mapping[Key, Answer],
        *,
        miss: MissPolicy = "fallback",
        sources: Sequence[Path] = (),
        left_out: Mapping[str, int] | None = None,
    ) -> None:
        if miss not in MISS_POLICIES:
            raise ValueError(f"miss is one of {', '.join(MISS_POLICIES)}, not {miss!r}")
        self.answers = dict(answers)
        self.miss: MissPolicy = miss
        self.sources = tuple(sources)
        #: Entries not replayed, by reason.
        self.left_out = dict(left_out or {})
        self._lock = threading.Lock()
        self.served = 0
        self.missed = 0

    @classmethod
    def load(
        cls,
        paths: Iterable[Path | str],
        *,
        miss: MissPolicy = "fallback",
        allowed_cprs: Iterable[str] = (),
    ) -> Replay:
        """Read recordings in order (a later answer for the same request wins).

        Raises ReplayError for a file that is not a HAR recording, and for one that
        holds CPR numbers other than KPB's test numbers and *allowed_cprs*.
        """
        allowed = frozenset(load_persons(BILAG_A)) | read_allowed_cprs(allowed_cprs)
        answers: dict[Key, Answer] = {}
        left_out: Counter[str] = Counter()
        sources = [Path(path) for path in paths]
        for path in sources:
            entries = _read_entries(path)
            _refuse_personal_data(path, entries, allowed)
            for index, entry in enumerate(entries):
                try:
                    replayed = _replayed(entry)
                except ReplayError as exc:
                    raise ReplayError(f"{path}: entry {index + 1}: {exc}") from None
                if isinstance(replayed, str):
                    left_out[replayed] += 1
                else:
                    key, answer = replayed
                    answers[key] = answer
        return cls(answers, miss=miss, sources=sources, left_out=left_out)

    def answer(self, method: str, target: str, own: Answer) -> Answer:
        """What a request gets, given the simulator's own answer *own* to it."""
        if own.status in _REFUSALS:
            return own
        recorded = self.answers.get(request_key(method, target))
        # On a path that is not a route (own 404), only a recorded error is served.
        if recorded is not None and (own.status != 404 or recorded.status >= 400):
            with self._lock:
                self.served += 1
            return recorded
        with self._lock:
            self.missed += 1
        if self.miss == "404":
            return error(404, f"No answer was recorded for {method} {mask_cpr(target)}.")
        return own

    def describe(self) -> str:
        """One line: how many answers from which files, and what a miss gets."""
        files = ", ".join(str(path) for path in self.sources) or "no file"
        misses = "the simulator's own answer" if self.miss == "fallback" else "404 naming the miss"
        line = f"replaying {len(self.answers)} recorded answers from {files}"
        if self.left_out:
            reasons = ", ".join(f"{n} {why}" for why, n in sorted(self.left_out.items()))
            line += f" (left out: {reasons})"
        return f"{line}; an unrecorded request gets {misses}"

    def __repr__(self) -> str:
        return f"<Replay {len(self.answers)} answers, miss={self.miss!r}>"


# -- reading HAR -------------------------------------------------------------------------


def _read_entries(path: Path) -> list[Any]:
    try:
        with path.open("rb") as file:
            document = json.load(file)
    except OSError as exc:
        raise ReplayError(f"cannot read the recording {path}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError):
        raise ReplayError(f"{path} is not a HAR recording: it is not JSON") from None
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise ReplayError(f"{path} is not a HAR recording: it has no log.entries list")
    for index, entry in enumerate(entries):
        request = entry.get("request") if isinstance(entry, dict) else None
        response = entry.get("response") if isinstance(entry, dict) else None
        if (
            not isinstance(request, dict)
            or not isinstance(request.get("method"), str)
            or not isinstance(request.get("url"), str)
            or not isinstance(response, dict)
            or type(response.get("status")) is not int
        ):
            raise ReplayError(
                f"{path}: entry {index + 1} is not a HAR entry "
                "(it needs request.method, request.url and response.status)"
            )
    return entries


def _body(content: Any) -> bytes | None:
    """The body of a HAR ``content`` (text, or base64); None if it was not recorded."""
    if not isinstance(content, dict):
        return None
    text = content.get("text")
    if text is None:
        return b"" if not content.get("size") else None
    if not isinstance(text, str):
        raise ReplayError("response.content.text is not a string")
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ReplayError("response.content.text is not valid base64") from None
    return text.encode("utf-8")


def _records(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        return []
    return [
        (record["name"], record["value"])
        for record in value
        if isinstance(record, dict)
        and isinstance(record.get("name"), str)
        and isinstance(record.get("value"), str)
    ]


def _sendable(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not _UNSAFE.search(text)


def _replayed(entry: dict[str, Any]) -> tuple[Key, Answer] | str:
    """The key and answer of an entry, or why it is left out."""
    request, response = entry["request"], entry["response"]
    status = response["status"]
    if status == 0:
        return "without an answer"
    if not 100 <= status <= 599:
        return "with a status outside 100-599"
    url = urlsplit(request["url"])
    if url.scheme.lower() != "https":
        return "not over HTTPS"
    comment = entry.get("comment")
    note = _CLIENT_NOTE.search(comment) if isinstance(comment, str) else None
    if note is not None and note.group(1).strip() != GIVEN_CERTIFICATE:
        return "of other clients"
    body = _body(response.get("content"))
    if body is None:
        return "without a recorded body"
    headers = _records(response.get("headers"))
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    if content_type is None:
        mime = response.get("content", {}).get("mimeType")
        content_type = mime if isinstance(mime, str) and mime else None
    kept = tuple(
        (name, value)
        for name, value in headers
        if name.lower() not in _NOT_REPLAYED and _TOKEN.fullmatch(name) and _sendable(value)
    )
    reason = response.get("statusText")
    answer = Answer(
        status,
        body,
        content_type if content_type is not None and _sendable(content_type) else None,
        kept,
        reason if isinstance(reason, str) and reason and _sendable(reason) else None,
    )
    target = url.path + (f"?{url.query}" if url.query else "")
    return request_key(request["method"], target), answer


# -- personal data -----------------------------------------------------------------------


def _texts(entry: dict[str, Any]) -> Iterator[str]:
    """Everything of an entry where a CPR number can be: URLs, headers, bodies."""
    request, response = entry["request"], entry["response"]
    yield unquote(request["url"])
    for _, value in _records(request.get("headers")) + _records(request.get("queryString")):
        yield value
    post = request.get("postData")
    if isinstance(post, dict) and isinstance(post.get("text"), str):
        yield post["text"]
    for _, value in _records(response.get("headers")):
        yield value
    try:
        body = _body(response.get("content"))
    except ReplayError:
        body = None
    if body:
        yield body.decode("utf-8", "replace")


def _refuse_personal_data(path: Path, entries: list[Any], allowed: frozenset[str]) -> None:
    others = {cpr for entry in entries for text in _texts(entry) for cpr in _cpr_like(text)}
    others -= allowed
    if others:
        first = min(others)
        raise ReplayError(
            f"{path} holds {len(others)} CPR number(s) other than KPB's seven test numbers "
            f"(the first: {first[:6]}-****), so it may hold personal data and is not replayed; "
            "if they are not real people's, allow each with --allow-cpr NUMBER or "
            "--allow-cpr-file FILE"
        )
