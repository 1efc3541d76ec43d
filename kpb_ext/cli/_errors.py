"""Turn kpb_ext's typed errors into a message, the next step, and an exit code."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click
from rich.console import Console

from kpb_ext import (
    CertificateError,
    InvalidCprError,
    KpbError,
    TransportError,
)
from kpb_ext.cli._exit import ExitCode

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def exit_code(error: KpbError) -> ExitCode:
    if isinstance(error, InvalidCprError):
        return ExitCode.USAGE
    if isinstance(error, CertificateError):
        return ExitCode.CERTIFICATE
    if isinstance(error, TransportError):
        return ExitCode.NETWORK
    # KpbResponseError, InvalidResponseError: KPB answered, but not with data.
    return ExitCode.KPB_ERROR


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Exit with the error's code after printing what happened and what to do."""
    try:
        yield
    except KpbError as error:
        stderr.print(f"[bold red]{type(error).__name__}[/]: {error}", markup=True)
        stderr.print(f"[bold]Next step:[/] {error.hint}", markup=True)
        raise click.exceptions.Exit(exit_code(error)) from None
