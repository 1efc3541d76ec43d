"""``kpb ping``, ``kpb medical-certificates`` and ``kpb applications``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import click
from rich.console import Console, RenderableType

from kpb_cli import _render
from kpb_cli._errors import reported_errors
from kpb_cli._options import TargetOptions
from kpb_ext import Cpr, KpbClient

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
    fetch: Callable[[KpbClient, Cpr], Any],
    records: Callable[[Any], Sequence[Any] | None],
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
            answer = fetch(kpb, number)
        if as_json:
            _dump(answer.to_dict())  # as KPB sent it: a null list, members the spec lacks
        else:
            Console(soft_wrap=False).print(render(number, records(answer) or []))

    command.help = (
        f"The {title} of the person with CPR number CPR.\n\n"
        "CPR may be written 0702614074, 070261-4074 or 070261 4074."
    )
    return command


medical_certificates = _person_command(
    "medical-certificates",
    "medical certificates (lægeerklæringer)",
    KpbClient.medical_certificates_answer,
    lambda answer: answer.medical_certificates,
    _render.medical_certificates,
)
applications = _person_command(
    "applications",
    "driving-test applications (prøveforløb)",
    KpbClient.applications_answer,
    lambda answer: answer.applications,
    _render.applications,
)
