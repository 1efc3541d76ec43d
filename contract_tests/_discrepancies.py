"""The entries of spec/DISCREPANCIES.md: what the spec decided where the PDF is silent.

Each entry has a kind. A *fact* is something the PDF states; a server that departs from
it violates the contract. An *assumption* is the spec's guess; the suite reports whether
a server confirms or contradicts it, naming the entry to revise, and never fails on it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from ._spec import discrepancies_path

__all__ = ["Entry", "Kind", "entries", "entry"]

Kind = Literal["fact", "assumption"]

_HEADING = re.compile(r"^### (?P<id>[A-Z][0-9]+)\. (?P<title>.+)\n(?:Kind: (?P<kind>\w+)\.)?", re.M)


@dataclass(frozen=True)
class Entry:
    """One entry of DISCREPANCIES.md, for example ``D14``."""

    id: str
    title: str
    kind: Kind

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


@functools.cache
def entries() -> dict[str, Entry]:
    """Every entry by its id, in the file's order."""
    text = discrepancies_path().read_text(encoding="utf-8")
    found: dict[str, Entry] = {}
    for match in _HEADING.finditer(text):
        kind: Kind
        if match.group("kind") == "fact":
            kind = "fact"
        elif match.group("kind") == "assumption":
            kind = "assumption"
        else:
            raise ValueError(f"DISCREPANCIES.md {match.group('id')} has no 'Kind: fact.' line")
        title = re.sub(r"\s*\((?:§|Bilag|not in)[^)]*\)$", "", match.group("title"))
        found[match.group("id")] = Entry(match.group("id"), title.replace("`", ""), kind)
    return found


def entry(identifier: str) -> Entry:
    """The entry called *identifier*; KeyError names it if DISCREPANCIES.md lacks it."""
    return entries()[identifier]
