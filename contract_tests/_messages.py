"""The documented error messages (PDF §3.3), as the spec's examples give them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ._spec import load_spec

__all__ = ["DocumentedMessage", "documented_messages", "find_documented"]

# The 404 message ends in the request URI (D12): only its beginning is fixed.
_URI_QUOTE = " '"


@dataclass(frozen=True)
class DocumentedMessage:
    status: int
    #: The whole message, or its fixed beginning when ``prefix``.
    text: str
    prefix: bool
    #: The spec's summary of when it happens.
    summary: str
    #: What to do about it, where the spec says.
    remedy: str = ""

    def matches(self, status: int, message: object) -> bool:
        if status != self.status or not isinstance(message, str):
            return False
        return message.startswith(self.text) if self.prefix else message == self.text

    def __str__(self) -> str:
        return f"{self.status} {self.text}" + ("…" if self.prefix else "")


_STATUS_OF = {"BadRequest": 400, "Unauthorized": 401, "HttpsRequired": 403, "NotFound": 404}


@functools.cache
def documented_messages() -> tuple[DocumentedMessage, ...]:
    responses = load_spec()["components"]["responses"]
    found = []
    for name, status in _STATUS_OF.items():
        for example in responses[name]["content"]["application/json"]["examples"].values():
            text = example["value"]["Message"]
            prefix = _URI_QUOTE in text and status == 404
            if prefix:
                text = text[: text.index(_URI_QUOTE)]
            remedy = " ".join(example.get("description", "").split()).removeprefix("Remedy: ")
            found.append(DocumentedMessage(status, text, prefix, example["summary"], remedy))
    return tuple(found)


def find_documented(status: int, message: object) -> DocumentedMessage | None:
    return next((m for m in documented_messages() if m.matches(status, message)), None)
