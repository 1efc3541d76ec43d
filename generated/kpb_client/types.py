"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from typing import IO, Any, BinaryIO, Generic, Literal, TypeVar
from urllib.parse import urlencode

from attrs import define


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


@define(frozen=True)
class ApiRequest:
    """The request of one operation as the spec defines it, for any HTTP client

    ``method`` is the HTTP method in lower case, ``path`` the operation's path below the
    base URL (path parameters filled in and quoted), ``params`` the query parameters that
    are set. ``target`` is the path with the encoded query, to append to the base URL.
    """

    method: str
    path: str
    params: Mapping[str, Any]

    @property
    def target(self) -> str:
        """The path and the encoded query string, for example ``/Application?cpr=0101010101``"""
        if not self.params:
            return self.path
        return f"{self.path}?{urlencode(self.params, doseq=True)}"


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint

    ``status_code`` is the status as sent, any integer: a proxy's 520 or 499 is kept, not
    turned into an error, and ``parsed`` is None for a status the spec does not document.
    """

    status_code: int
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = [
    "UNSET",
    "ApiRequest",
    "File",
    "FileTypes",
    "RequestFiles",
    "Response",
    "Unset",
]
