"""``kpb ping``, ``kpb medical-certificates``, ``kpb applications`` and ``kpb lookup``."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

import click
from rich.console import Console, RenderableType

from kpb_ext import AsyncKpbClient, Cpr, KpbClient, LookupResult, What
from kpb_ext.cli import _render
from kpb_ext.cli._errors import exit_code, reported_errors
from kpb_ext.cli._exit import ExitCode
from kpb_ext.cli._options import TargetOptions

pass_options = click.make_pass_decorator(TargetOptions)
json_option = click.option("--json", "as_json", is_flag=True, help="Print KPB's wire JSON.")


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _cpr(text: str) -> Cpr:
    with reported_errors():
        return Cpr.parse(text)


@click.command()
@json_option
@pass_options
def ping(options: TargetOptions, as_json: bool) -> None:
    """Call /test, which needs no certificate: is KPB reachable?"""
    with (
        reported_errors(),
        options.target() as target,
        KpbClient(**target.client_arguments()) as kpb,
    ):
        started = time.perf_counter()
        answer = kpb.ping()
        elapsed = time.perf_counter() - started
    if as_json:
        _dump(answer)
    else:
        click.echo(
            f"{target.base_url}/test answered {json.dumps(answer)} in {elapsed * 1000:.0f} ms"
        )


def _person_command(
    name: str,
    title: str,
    fetch: Callable[[KpbClient, Cpr], Sequence[Any]],
    wire_member: str,
    render: Callable[[Cpr, Sequence[Any]], RenderableType],
) -> click.Command:
    """A command that shows one service's data about one person."""

    @click.command(name)
    @click.argument("cpr")
    @json_option
    @pass_options
    def command(options: TargetOptions, cpr: str, as_json: bool) -> None:
        number = _cpr(cpr)
        with (
            reported_errors(),
            options.target() as target,
            KpbClient(**target.client_arguments()) as kpb,
        ):
            found = fetch(kpb, number)
        if as_json:
            _dump({wire_member: [item.to_dict() for item in found]})
        else:
            Console(soft_wrap=False).print(render(number, found))

    command.help = (
        f"The {title} of the person with CPR number CPR.\n\n"
        "CPR may be written 0702614074, 070261-4074 or 070261 4074."
    )
    return command


medical_certificates = _person_command(
    "medical-certificates",
    "medical certificates (lægeerklæringer)",
    KpbClient.medical_certificates,
    "MedicalCertificates",
    _render.medical_certificates,
)
applications = _person_command(
    "applications",
    "driving-test applications (prøveforløb)",
    KpbClient.applications,
    "Applications",
    _render.applications,
)


def _numbers(arguments: tuple[str, ...], source: IO[str] | None) -> Iterator[str]:
    yield from arguments
    if source is not None:
        for line in source:
            text = line.split("#", 1)[0].strip()
            if text:
                yield text


_SEVERITY = [ExitCode.NETWORK, ExitCode.KPB_ERROR, ExitCode.CERTIFICATE, ExitCode.USAGE]


@click.command()
@click.argument("cprs", nargs=-1, metavar="[CPR]...")
@click.option(
    "--from-file",
    type=click.File("r", encoding="utf-8"),
    help="Read CPR numbers from FILE ('-' for stdin), one per line; # starts a comment.",
)
@click.option(
    "--what",
    type=click.Choice(["applications", "medical-certificates", "both"]),
    default="both",
    show_default=True,
    help="Which services to call for each number.",
)
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="Write JSON Lines to FILE instead of stdout.",
)
@pass_options
def lookup(
    options: TargetOptions,
    cprs: tuple[str, ...],
    from_file: IO[str] | None,
    what: str,
    concurrency: int,
    output: IO[str],
) -> None:
    """Look up many CPR numbers and write one JSON line per number.

    Each line holds the input position ("index"), the masked number, and either KPB's
    data or a typed error with its next step. One failing number never stops the batch;
    a repeated number is looked up once. The exit code is 0 when every number
    succeeded, otherwise that of the most serious failure (network, KPB error,
    certificate, invalid input).
    """
    if not cprs and from_file is None:
        raise click.UsageError("give CPR numbers as arguments or with --from-file")
    kinds: What = "medical_certificates" if what == "medical-certificates" else what  # type: ignore[assignment]
    with reported_errors(), options.target() as target:
        counts = asyncio.run(
            _lookup(
                target.client_arguments(), _numbers(cprs, from_file), kinds, concurrency, output
            )
        )
    done, failed = counts
    summary = f"{done} numbers looked up, {done - len(failed)} without errors"
    if failed:
        by_kind = Counter(type(error).__name__ for error in failed)
        summary += ", " + ", ".join(f"{n} {name}" for name, n in by_kind.items())
    click.echo(summary, err=True)
    if failed:
        worst = min((exit_code(error) for error in failed), key=_SEVERITY.index)
        raise click.exceptions.Exit(worst)


async def _lookup(
    client_arguments: dict[str, Any],
    numbers: Iterator[str],
    what: What,
    concurrency: int,
    output: IO[str],
) -> tuple[int, list[Any]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    failed: list[Any] = []
    done = 0
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    task = progress.add_task("Looking up", total=None)

    def advance(completed: int, total: int | None) -> None:
        progress.update(task, completed=completed, total=total)

    with progress:
        async with AsyncKpbClient(**client_arguments) as kpb:
            result: LookupResult
            async for result in kpb.lookup_many(
                numbers, what=what, concurrency=concurrency, progress=advance
            ):
                output.write(result.to_json() + "\n")
                done += 1
                failed.extend(result.errors.values())
    output.flush()
    return done, failed
