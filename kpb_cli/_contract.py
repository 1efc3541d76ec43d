"""``kpb contract`` and ``kpb spec learn``: thin commands over contract_tests.

The target and the certificate are ``kpb``'s own options (``kpb --env test --p12 FILE
contract``), resolved once by :class:`TargetOptions`; these commands add only what is
theirs, and turn the result into an exit code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from contract_tests import (
    DEFAULT_REPORT_DIR,
    REMOTE_MAX_EXAMPLES,
    REMOTE_MAX_REQUESTS,
    REMOTE_RATE,
    Interrupt,
    Limits,
    Outcome,
    Target,
    run_contract,
)
from kpb_cli._errors import reported_errors
from kpb_cli._exit import STOP_SIGNALS, ExitCode
from kpb_cli._options import TargetOptions
from kpb_ext import parse_rate

__all__ = ["contract", "spec"]

pass_options = click.make_pass_decorator(TargetOptions)


def _rate(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    try:
        return parse_rate(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("contract")
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
@pass_options
def contract(
    options: TargetOptions,
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

    Name the environment and the certificate before the command, as for every kpb
    command: kpb --env test --p12 FILE contract. Without them, the embedded simulator is
    tested. Exits 0 when the target conforms (assumptions contradicted are reported, not
    failed), 1 when it does not, 2 on wrong usage, 4 when the target cannot be reached
    or says it is away (429, 502, 503 or 504 to /test), 5 when the certificate cannot be
    used or KPB refused it (401) and nothing else broke the contract, and 6 when a signal
    stopped it (the reports then say what was checked until then).
    """
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    with reported_errors(), _contract_target(options, http_base_url) as target:
        defaults = Limits.defaults_for(target, seed=seed)
        limits = dataclasses.replace(
            defaults,
            rate=rate_limit or defaults.rate,
            max_examples=max_examples or defaults.max_examples,
            max_requests=max_requests or defaults.max_requests,
            data_checks=data_checks,
            report_dir=report_dir,
        )
        with _stopped_by_signals() as interrupt:
            result = run_contract(
                target,
                limits,
                progress=sys.stderr,
                pytest_output=sys.stderr if verbose else None,
                interrupt=interrupt,
            )
    click.echo(result.summary, nl=False)
    exit_codes = {
        Outcome.CONFORMS: ExitCode.OK,
        Outcome.DOES_NOT_CONFORM: ExitCode.CONTRACT_VIOLATION,
        Outcome.UNREACHABLE: ExitCode.NETWORK,
        Outcome.INTERRUPTED: ExitCode.INTERRUPTED,
        Outcome.CERTIFICATE_REFUSED: ExitCode.CERTIFICATE,
    }
    raise click.exceptions.Exit(exit_codes[result.outcome])


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[Interrupt]:
    """SIGINT, SIGTERM and SIGHUP stop the run cleanly: it finishes no further request and
    writes its reports. A signal ignored when kpb started (nohup) stays ignored."""
    interrupt = Interrupt()

    def stop(signum: int, frame: FrameType | None) -> None:
        interrupt.set(f"stopped by {signal.Signals(signum).name}")

    previous = {
        signum: signal.signal(signum, stop)
        for signum in STOP_SIGNALS
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield interrupt
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _contract_target(options: TargetOptions, http_base_url: str | None) -> Iterator[Target]:
    """The target of ``kpb``'s options as the contract suite sees it; the embedded
    simulator, with its probe certificates, when none is given."""
    from contract_tests import anonymous, certificate_identity, check_urls, embedded_simulator
    from kpb_ext import ENVIRONMENTS

    if not options.configured:
        if options.has_certificate or options.ca_bundle or http_base_url:
            raise click.UsageError(
                "a certificate, --ca-bundle or --http-base-url needs a KPB to check: add "
                "--env test or --base-url URL before the command (without them the embedded "
                "simulator is tested, with its own certificates)"
            )
        click.echo(
            "kpb contract: no --env or --base-url given, so the embedded simulator "
            "(kpb_sim) is tested, on loopback with throwaway certificates",
            err=True,
        )
        with embedded_simulator() as target:
            yield target
        return
    base_url = options.resolved_base_url()
    if options.is_production(base_url):
        # The test CPR numbers may be real people in production, and its data is real.
        raise click.UsageError(
            "the contract suite runs against the test environment, not production: "
            f"--env test or --base-url {ENVIRONMENTS['test']}"
        )
    check_urls(base_url, http_base_url)
    certificate = options.load_certificate()
    if certificate is None:
        raise click.UsageError(
            "the contract suite needs the function certificate: --p12 FILE, or --cert PEM "
            "--key PEM, before the command"
        )
    ca_bundle = Path(options.ca_bundle) if options.ca_bundle else None
    yield Target(
        base_url,
        certificate_identity(certificate, ca_bundle),
        anonymous(ca_bundle),
        http_base_url=http_base_url,
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
    from contract_tests import RecordingError, render_lesson
    from contract_tests import learn as learn_from
    from kpb_sim import DataError

    try:
        lesson = learn_from(list(recordings), persons=data)
    except (RecordingError, DataError) as exc:
        click.echo(f"kpb spec learn: {exc}", err=True)
        click.echo(
            "Next step: give the exchanges.har that `kpb contract --report-dir DIR` wrote.",
            err=True,
        )
        raise click.exceptions.Exit(ExitCode.USAGE) from None
    shown = str(data) if data is not None else "kpb_sim/data/bilag_a.yaml"
    click.echo(render_lesson(lesson, persons_file=shown), nl=False)
