"""The ``kpb`` command.

Subcommands are imported only when they run, so that ``kpb --help`` stays fast.
"""

from __future__ import annotations

import importlib

import click

from kpb_ext.cli._exit import ExitCode

__all__ = ["ExitCode", "cli", "main"]

# name -> "module:attribute" of a click command
_COMMANDS: dict[str, str] = {
    "sim": "kpb_sim.cli:sim",
    "contract": "contract_tests.cli:contract",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _COMMANDS:
            module, _, attr = _COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup)
def cli() -> None:
    """Tools for KOMBIT's Køreprøvebooking (KPB) web services."""


def main() -> None:
    cli()
