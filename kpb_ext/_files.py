"""Files that hold personal data, readable and writable by their owner only.

KPB's answers are health data about named citizens (medical certificates, driving-test
applications). A file written with them is created with mode 0600 whatever the umask,
and an existing file is narrowed to 0600 before anything is written to it. A file that
another library writes (a JUnit or HAR report) is made private the same way: create it
with :func:`open_private` first and close it; opening it again for writing keeps the mode.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO, Final, Literal, TextIO, overload

__all__ = ["PRIVATE_MODE", "open_private"]

#: Read and write for the owner, nothing for anyone else.
PRIVATE_MODE: Final = 0o600

_FLAGS: Final = {"w": os.O_TRUNC, "a": os.O_APPEND, "x": os.O_EXCL}

TextMode = Literal["w", "a", "x"]
BinaryMode = Literal["wb", "ab", "xb"]


@overload
def open_private(
    path: str | os.PathLike[str], mode: TextMode = "w", *, encoding: str = "utf-8"
) -> TextIO: ...


@overload
def open_private(path: str | os.PathLike[str], mode: BinaryMode) -> BinaryIO: ...


def open_private(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str = "utf-8"
) -> TextIO | BinaryIO:
    """Open *path* for writing; a file it creates, or finds, gets mode 0600.

    *mode* is ``"w"`` (truncate), ``"a"`` (append) or ``"x"`` (the file must not exist),
    with ``b`` added for bytes. A device or pipe (``/dev/stdout``) is left as it is.
    Raises ``OSError`` as :func:`open` does, and when an existing file cannot be
    narrowed to 0600.
    """
    binary = mode.endswith("b")
    kind = mode.removesuffix("b")
    if kind not in _FLAGS:
        raise ValueError(f"mode is one of w, a, x (with b for bytes), not {mode!r}")
    flags = os.O_WRONLY | os.O_CREAT | _FLAGS[kind] | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, PRIVATE_MODE)  # the umask can only take bits away
    try:
        _narrow(descriptor)
        reopen = ("a" if kind == "a" else "w") + ("b" if binary else "")
        if binary:
            return os.fdopen(descriptor, reopen)  # type: ignore[return-value]
        return os.fdopen(descriptor, reopen, encoding=encoding)  # type: ignore[return-value]
    except BaseException:
        os.close(descriptor)
        raise


def _narrow(descriptor: int) -> None:
    """Take group and other access away from an existing regular file."""
    info = os.fstat(descriptor)
    if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077 and hasattr(os, "fchmod"):
        os.fchmod(descriptor, PRIVATE_MODE)
