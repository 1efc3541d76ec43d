"""``kpb contract``: check a KPB environment against spec/kpb.openapi.yaml."""

from __future__ import annotations

import dataclasses
import random
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import click

from kpb_ext.cli import ExitCode

from ._identity import CertificateProblem, anonymous, given_certificate
from ._target import (
    DEFAULT_REPORT_DIR,
    REMOTE_MAX_EXAMPLES,
    REMOTE_MAX_REQUESTS,
    REMOTE_RATE,
    Limits,
    Target,
    check_urls,
    parse_rate,
)

__all__ = ["contract", "spec"]

_FILE = click.Path(dir_okay=False, path_type=Path)


def _rate(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    try:
        return parse_rate(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("contract")
@click.option(
    "--base-url",
    envvar="KPB_BASE_URL",
    metavar="URL",
    help="The environment's BaseUrl, with /api, for example "
    "https://service-kpbt2.knowledgecube.net/api [KPB_BASE_URL]. "
    "Without it, the embedded simulator is tested.",
)
@click.option("--cert", type=_FILE, envvar="KPB_CERT", help="Certificate, PEM [KPB_CERT].")
@click.option(
    "--key",
    type=_FILE,
    envvar="KPB_KEY",
    help="Its private key, PEM, encrypted or not [KPB_KEY].",
)
@click.option(
    "--p12",
    type=_FILE,
    envvar="KPB_P12",
    help="Certificate and key as PKCS#12 (.p12/.pfx) instead [KPB_P12]. The password comes "
    "from KPB_CERT_PASSWORD or the file named by KPB_CERT_PASSWORD_FILE.",
)
@click.option(
    "--ca-bundle",
    type=_FILE,
    envvar="KPB_CA_BUNDLE",
    help="Extra CA certificates (PEM) to trust for the server [KPB_CA_BUNDLE].",
)
@click.option(
    "--http-base-url",
    envvar="KPB_HTTP_BASE_URL",
    metavar="URL",
    help="Where plain HTTP is tried (must be refused with 403); by default the base URL "
    "with http:// [KPB_HTTP_BASE_URL].",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REPORT_DIR,
    show_default=True,
    help="Where summary.txt, junit.xml and the recording exchanges.har are written.",
)
@click.option(
    "--rate-limit",
    callback=_rate,
    metavar="N/s|N/m|N/h",
    help=f"At most this many requests; default {REMOTE_RATE} against a real service, none "
    "on loopback.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    help=f"Generated requests per operation in the fuzzing phase; default "
    f"{REMOTE_MAX_EXAMPLES} against a real service.",
)
@click.option(
    "--max-requests",
    type=click.IntRange(min=1),
    help=f"Stop after this many requests; default {REMOTE_MAX_REQUESTS} against a real "
    "service, no bound on loopback.",
)
@click.option("--seed", type=int, help="Repeat a run's generated requests (the summary gives it).")
@click.option(
    "--data-checks/--no-data-checks",
    default=True,
    show_default=True,
    help="Also check Bilag A's facts about the seven test persons (reported on their own).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show pytest's output as the run goes.")
@click.pass_context
def contract(
    ctx: click.Context,
    base_url: str | None,
    cert: Path | None,
    key: Path | None,
    p12: Path | None,
    ca_bundle: Path | None,
    http_base_url: str | None,
    report_dir: Path,
    rate_limit: tuple[int, str] | None,
    max_examples: int | None,
    max_requests: int | None,
    seed: int | None,
    data_checks: bool,
    verbose: bool,
) -> None:
    """Check a KPB environment against the spec, with a function certificate.

    The target and certificate may also be given before the command, as for every kpb
    command (kpb --env test --p12 FILE contract). Exits 0 when the target conforms
    (warnings allowed), 1 when it does not, 2 on wrong usage, 4 when the target cannot be
    reached and 5 when the certificate cannot be used.
    """
    base_url = _base_url(ctx, base_url)
    cert = cert or _path_before(ctx, "cert")
    key = key or _path_before(ctx, "key")
    p12 = p12 or _path_before(ctx, "p12")
    ca_bundle = ca_bundle or _path_before(ctx, "ca_bundle")
    _check_usage(base_url, cert, key, p12, ca_bundle, http_base_url)
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    try:
        if base_url is None:
            source: AbstractContextManager[Target] = _embedded()
        else:
            identity = given_certificate(cert=cert, key=key, p12=p12, ca_bundle=ca_bundle)
            target = Target(base_url, identity, anonymous(ca_bundle), http_base_url=http_base_url)
            source = nullcontext(target)
        with source as target:
            defaults = Limits.defaults_for(target, seed=seed)
            limits = dataclasses.replace(
                defaults,
                rate=rate_limit or defaults.rate,
                max_examples=max_examples or defaults.max_examples,
                max_requests=max_requests or defaults.max_requests,
                data_checks=data_checks,
                report_dir=report_dir,
            )
            from ._run import Outcome, run_contract

            result = run_contract(
                target,
                limits,
                progress=sys.stderr,
                pytest_output=sys.stderr if verbose else None,
            )
    except CertificateProblem as exc:
        click.echo(f"kpb contract: the certificate cannot be used: {exc}", err=True)
        sys.exit(int(ExitCode.CERTIFICATE))
    click.echo(result.summary, nl=False)
    exit_codes = {
        Outcome.CONFORMS: ExitCode.OK,
        Outcome.DOES_NOT_CONFORM: ExitCode.CONTRACT_VIOLATION,
        Outcome.UNREACHABLE: ExitCode.NETWORK,
    }
    sys.exit(int(exit_codes[result.outcome]))


def _before(ctx: click.Context, name: str) -> str | None:
    """An option given to ``kpb`` itself, before the command."""
    value = ctx.parent.params.get(name) if ctx.parent is not None else None
    return str(value) if value else None


def _path_before(ctx: click.Context, name: str) -> Path | None:
    value = _before(ctx, name)
    return Path(value) if value else None


def _base_url(ctx: click.Context, given: str | None) -> str | None:
    """The base URL given here, before the command, or by ``--env`` before it."""
    environment, base_url = _before(ctx, "environment"), given or _before(ctx, "base_url")
    if environment is None:
        return base_url
    if base_url is not None:
        raise click.UsageError("give --env or --base-url, not both")
    from kpb_ext import ENVIRONMENTS

    return ENVIRONMENTS.get(environment, environment)


def _embedded() -> AbstractContextManager[Target]:
    from ._embedded import embedded_simulator

    click.echo(
        "kpb contract: no --base-url given, so the embedded simulator (kpb_sim) is tested, "
        "on loopback with throwaway certificates",
        err=True,
    )
    return embedded_simulator()


def _check_usage(
    base_url: str | None,
    cert: Path | None,
    key: Path | None,
    p12: Path | None,
    ca_bundle: Path | None,
    http_base_url: str | None,
) -> None:
    if p12 is not None and (cert is not None or key is not None):
        raise click.UsageError("give either --p12, or --cert with --key, not both")
    if (cert is None) != (key is None):
        raise click.UsageError("--cert and --key go together: give both")
    from kpb_ext import ENVIRONMENTS, same_host

    if base_url is not None and same_host(base_url, ENVIRONMENTS["production"]):
        # The test CPR numbers may be real people in production, and its data is real.
        raise click.UsageError(
            "the contract suite runs against the test environment, not production: "
            f"--env test or --base-url {ENVIRONMENTS['test']}"
        )
    has_certificate = p12 is not None or cert is not None
    if base_url is None:
        if has_certificate or ca_bundle is not None or http_base_url is not None:
            raise click.UsageError(
                "a certificate, --ca-bundle or --http-base-url needs --base-url (without "
                "--base-url the embedded simulator is tested, with its own certificates)"
            )
    else:
        try:
            check_urls(base_url, http_base_url)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        if not has_certificate:
            raise click.UsageError(
                "--base-url needs the function certificate: --cert and --key, or --p12"
            )


@click.group("spec")
def spec() -> None:
    """What a recording of KPB teaches the spec and the simulator."""


@spec.command("learn")
@click.argument(
    "recordings",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.har...",
)
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The simulator's data file to compare with. Default: Bilag A (kpb_sim/data/bilag_a.yaml).",
)
def learn(recordings: tuple[Path, ...], data: Path | None) -> None:
    """Compare recordings of KPB with the spec's assumptions and the simulator's data.

    FILE.har is what `kpb contract` wrote (exchanges.har), for example against KPB's
    test environment. Prints, by spec/DISCREPANCIES.md entry, what the recording
    confirmed, contradicted or never showed; by test person, where the simulator's data
    differs from what KPB answered; and a list of the changes to make. Exits 0, or 2
    when a file cannot be read.
    """
    from kpb_sim import DataError

    from ._learn import learn as learn_from
    from ._learn import render_lesson
    from ._recording import RecordingError

    try:
        lesson = learn_from(list(recordings), persons=data)
    except (RecordingError, DataError) as exc:
        click.echo(f"kpb spec learn: {exc}", err=True)
        click.echo(
            "Next step: give the exchanges.har that `kpb contract --report-dir DIR` wrote.",
            err=True,
        )
        sys.exit(int(ExitCode.USAGE))
    shown = str(data) if data is not None else "kpb_sim/data/bilag_a.yaml"
    click.echo(render_lesson(lesson, persons_file=shown), nl=False)
