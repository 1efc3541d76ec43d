"""The ``kpb`` command.

Only click is imported up front: each subcommand's module (and httpx, cryptography,
schemathesis...) is imported when that subcommand runs, so ``kpb --help`` stays fast.
"""

from __future__ import annotations

import importlib

import click

from kpb_cli._exit import ExitCode, exit_code_table
from kpb_cli._options import TargetOptions
from kpb_ext._facts import ENVIRONMENTS

__all__ = ["ExitCode", "cli", "main"]

# name -> ("module:attribute" of a click command, one-line help for the listing)
_COMMANDS: dict[str, tuple[str, str]] = {
    "ping": ("kpb_cli._commands:ping", "Call /test: is KPB reachable?"),
    "medical-certificates": (
        "kpb_cli._commands:medical_certificates",
        "A person's medical certificates (lægeerklæringer).",
    ),
    "applications": (
        "kpb_cli._commands:applications",
        "A person's driving-test applications (prøveforløb).",
    ),
    "lookup": ("kpb_cli._lookup:lookup", "Look up many CPR numbers; JSON Lines out."),
    "doctor": ("kpb_cli._doctor:doctor", "Check the connection to KPB step by step."),
    "contract": ("kpb_cli._contract:contract", "Check a KPB environment against the spec."),
    "spec": ("kpb_cli._contract:spec", "Learn from a recording of KPB: kpb spec learn FILE.har."),
    "sim": ("kpb_cli._sim:sim", "Run the offline KPB test environment."),
}

_EPILOG = f"""\b
Exit codes:
{exit_code_table()}

\b
With no --env or --base-url, commands run against the embedded simulator,
which holds the seven test persons of the documentation's Bilag A."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, _, attr = _COMMANDS[cmd_name][0].partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing uses the static help above, so that --help imports no subcommand.
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in _COMMANDS.items()])

    def invoke(self, ctx: click.Context) -> object:
        # The safety net: whatever a command did not foresee ends in one line, a next
        # step and a documented exit code, never in a traceback.
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:  # noqa: BLE001 (the net for what nothing else caught)
            from kpb_cli._errors import unexpected

            verbose = isinstance(ctx.obj, TargetOptions) and ctx.obj.verbose
            raise click.exceptions.Exit(unexpected(error, verbose=verbose)) from None


@click.group(
    cls=_LazyGroup, epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--env",
    "environment",
    type=click.Choice(["test", "production"]),
    envvar="KPB_ENV",
    help="KPB environment to call. [env: KPB_ENV]",
)
@click.option(
    "--base-url",
    envvar="KPB_BASE_URL",
    metavar="URL",
    help=f"KPB BaseUrl including /api, e.g. {ENVIRONMENTS['test']} [env: KPB_BASE_URL]",
)
@click.option(
    "--cert",
    envvar="KPB_CERT",
    metavar="PEM",
    type=click.Path(dir_okay=False),
    help="Function certificate (PEM; may also hold the key). [env: KPB_CERT]",
)
@click.option(
    "--key",
    envvar="KPB_KEY",
    metavar="PEM",
    type=click.Path(dir_okay=False),
    help="Private key of --cert (PEM, may be encrypted). [env: KPB_KEY]",
)
@click.option(
    "--p12",
    envvar="KPB_P12",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Function certificate as PKCS#12 (.p12/.pfx). The password comes only from "
    "KPB_CERT_PASSWORD or KPB_CERT_PASSWORD_FILE. [env: KPB_P12]",
)
@click.option(
    "--ca-bundle",
    envvar="KPB_CA_BUNDLE",
    metavar="PEM",
    type=click.Path(dir_okay=False),
    help="Extra CA certificates to trust, besides the system's. [env: KPB_CA_BUNDLE]",
)
@click.option("-v", "--verbose", is_flag=True, help="DEBUG logging of kpb and httpx (CPRs masked).")
@click.version_option(package_name="kpb", prog_name="kpb")
@click.pass_context
def cli(
    ctx: click.Context,
    environment: str | None,
    base_url: str | None,
    cert: str | None,
    key: str | None,
    p12: str | None,
    ca_bundle: str | None,
    verbose: bool,
) -> None:
    """Tools for KOMBIT's Køreprøvebooking (KPB) web services."""
    ctx.obj = TargetOptions(
        environment=environment,
        base_url=base_url,
        cert=cert,
        key=key,
        p12=p12,
        ca_bundle=ca_bundle,
        verbose=verbose,
    )
    from kpb_cli._errors import library_logs_silenced, warnings_in_our_words

    ctx.with_resource(warnings_in_our_words())
    if verbose:
        import logging

        logging.basicConfig(
            level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        for name in ("kpb_ext", "kpb_sim", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    else:
        # What kpb_ext logs at WARNING it also says as a Python warning, which is shown.
        ctx.with_resource(library_logs_silenced())


def main(args: list[str] | None = None, *, prog_name: str = "kpb") -> None:
    """Run the ``kpb`` command (with *args* instead of ``sys.argv[1:]``, if given)."""
    cli(args, prog_name=prog_name)
