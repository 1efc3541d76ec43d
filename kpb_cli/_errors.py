"""Turn kpb_ext's typed errors into a message, the next step, and an exit code.

Whatever a server or a file sends may end up in a message (KPB's ``Message``, a body
excerpt, a TLS alert): it is shown as plain text, never as rich markup, with control
characters escaped, so that it can neither break the output nor drive the terminal.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Iterator
from typing import TextIO

import click
from rich.console import Console
from rich.text import Text

from kpb_cli._exit import ExitCode
from kpb_ext import (
    CertificateError,
    InvalidBaseUrlError,
    InvalidCprError,
    InvalidResponseError,
    KpbError,
    TransportError,
    printable,
    redact,
)

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def exit_code(error: KpbError | type[KpbError]) -> ExitCode:
    """The exit code of an error, or of a kind of error (as a result line names it)."""
    kind = error if isinstance(error, type) else type(error)
    if issubclass(kind, InvalidCprError | InvalidBaseUrlError):
        return ExitCode.USAGE
    if issubclass(kind, CertificateError):
        return ExitCode.CERTIFICATE
    if issubclass(kind, TransportError):
        return ExitCode.NETWORK
    # KpbResponseError, InvalidResponseError: KPB answered, but not with data.
    return ExitCode.KPB_ERROR


def plain(text: str) -> str:
    """*text* with CPR numbers masked and control characters escaped (``\\x1b``)."""
    return printable(redact(text))


def excerpt(error: KpbError) -> str | None:
    """The masked start of the body, for an answer that was not what KPB documents."""
    if isinstance(error, InvalidResponseError) and error.excerpt:
        return plain(error.excerpt)
    return None


def report(error: KpbError, console: Console = stderr) -> None:
    """Print what happened, the body excerpt if there is one, and the next step."""
    console.print(Text.assemble((type(error).__name__, "bold red"), ": ", plain(str(error))))
    shown = excerpt(error)
    if shown is not None:
        console.print(Text.assemble(("Excerpt: ", "bold"), shown))
    console.print(Text.assemble(("Next step: ", "bold"), plain(error.hint)))


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Exit with the error's code after printing what happened and what to do."""
    try:
        yield
    except KpbError as error:
        report(error)
        raise click.exceptions.Exit(exit_code(error)) from None


@contextlib.contextmanager
def warnings_in_our_words() -> Iterator[None]:
    """Show each distinct Python warning once, as one line, instead of Python's
    ``file:line: Category: message`` followed by a line of source code."""
    shown: set[str] = set()

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = plain(str(message))
        if text not in shown:
            shown.add(text)
            stderr.print(Text.assemble(("Warning: ", "bold yellow"), text))

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@contextlib.contextmanager
def library_logs_silenced() -> Iterator[None]:
    """Keep kpb_ext's log records off stderr (Python's last-resort handler prints
    WARNING records when logging is not configured); -v configures logging instead."""
    logger = logging.getLogger("kpb_ext")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


_FAULT = (
    "This is a fault in kpb. Run the command again with -v to see the details (CPR "
    "numbers masked) and send them to whoever maintains kpb for you."
)
_FILE_STEP = (
    "Check that the file or directory exists and that you may read or write it, and "
    "that the disk has free space; or name another one."
)


# Failures of a write that name no file: the disk, not the program.
_DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO})


def unexpected(error: Exception, *, verbose: bool) -> ExitCode:
    """Report an error no command handled; return the exit code for it."""
    if isinstance(error, KpbError):
        report(error)
        return exit_code(error)
    if isinstance(error, BrokenPipeError):
        # The reader of the output went away (`kpb lookup ... | head`): nothing to say.
        _drop_standard_output()
        return ExitCode.PIPE_CLOSED
    if isinstance(error, OSError) and (error.filename is not None or error.errno in _DISK):
        what = f"{error.strerror or type(error).__name__}"
        if error.filename is not None:
            what = f"cannot use {os.fsdecode(error.filename)!r}: {what}"
        _one_line("Error", what, _FILE_STEP)
        if error.errno in _DISK:
            _drop_standard_output()
            return ExitCode.WRITE_FAILED
        return ExitCode.USAGE
    _one_line("Unexpected error", type(error).__name__, _FAULT)
    if verbose:
        details = "".join(traceback.format_exception(error))
        stderr.print(Text(plain_lines(details)))
    return ExitCode.INTERNAL


def _drop_standard_output() -> None:
    """Nothing more goes to stdout, also not what Python flushes at exit: a second
    failure there would end the process with 120 and a traceback-like message."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _one_line(label: str, what: str, next_step: str) -> None:
    stderr.print(Text.assemble((f"{label}: ", "bold red"), plain(what)))
    stderr.print(Text.assemble(("Next step: ", "bold"), next_step))


def plain_lines(text: str) -> str:
    """:func:`plain` for text of several lines, such as a traceback."""
    return "\n".join(plain(line) for line in text.splitlines())
