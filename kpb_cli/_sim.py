"""``kpb sim``: run the offline KPB test environment."""

from __future__ import annotations

import dataclasses
import json
import logging
import shlex
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType

import click
from click.core import ParameterSource

from kpb_cli._exit import STOP_SIGNALS, ExitCode
from kpb_cli._sim_options import make_rehearsal, make_replay, rehearsal_options, replay_options
from kpb_sim import (
    DRIFT_MODES,
    CertificateError,
    CertificateSet,
    DataError,
    Replay,
    ReplayError,
    Simulator,
    create_certificates,
    load_certificates,
)

__all__ = ["serve", "sim"]

_EXAMPLE_CPR = "0702614074"  # Elev 1 of Bilag A
_PORT = click.IntRange(0, 65535)


class _InvalidInput(click.ClickException):
    exit_code = ExitCode.USAGE


class _CannotListen(click.ClickException):
    exit_code = ExitCode.NETWORK


class _CertificateProblem(click.ClickException):
    exit_code = ExitCode.CERTIFICATE


@click.group(invoke_without_command=True)
@click.pass_context
def sim(ctx: click.Context, /, **serve_options: object) -> None:
    """Offline stand-in for the KPB test environment (mutual TLS, Bilag A data).

    Without a subcommand, serves as `serve` does, and takes its options
    (`kpb sim --port 8443`).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, **serve_options)
        return
    given = [
        parameter.opts[0]
        for parameter in ctx.command.params
        if ctx.get_parameter_source(parameter.name or "") is not ParameterSource.DEFAULT
    ]
    if given:
        raise click.UsageError(
            f"{', '.join(given)} belongs to `kpb sim serve`: write it after the "
            f"subcommand, or leave the subcommand out to serve"
        )


@sim.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a CA, a server certificate and the client certificates in DIRECTORY."""
    started = time.perf_counter()
    try:
        certs = create_certificates(directory)
    except CertificateError as exc:
        raise _InvalidInput(str(exc)) from exc
    elapsed = time.perf_counter() - started
    click.echo(f"Created a simulator certificate set in {certs.directory} ({elapsed:.2f} s)")
    click.echo(f"  CA to trust:        {certs.ca_cert}")
    click.echo(f"  registry:           {certs.registry}")
    click.echo(f"  PKCS#12 password:   in {certs.password_file}")
    for client in certs.clients.values():
        services = ", ".join(client.services) or "not registered"
        click.echo(f"  {client.name + ':':<18}  {client.thumbprint}  ({services})")
    click.echo(f"Serve with: kpb sim serve --cert-dir {shlex.quote(str(certs.directory))}")


@sim.command()
@click.option(
    "--cert-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="A certificate set made by `kpb sim init`. Default: throwaway certificates.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    type=_PORT,
    default=0,
    show_default=True,
    help="HTTPS port; 0 picks a free one.",
)
@click.option(
    "--http-port",
    type=_PORT,
    default=0,
    show_default=True,
    help="Plain-HTTP port; 0 picks a free one.",
)
@click.option(
    "--drift",
    type=click.Choice(list(DRIFT_MODES)),
    help="Break the contract in one named way (see `kpb sim drift-modes`).",
)
@click.option(
    "--data",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="YAML file of test persons. Default: the seven persons of Bilag A.",
)
@click.option(
    "--announce-json",
    is_flag=True,
    help="Print one JSON line with the URLs and certificate paths on stdout "
    "(human-readable text goes to stderr).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every request on stderr.")
@replay_options
@rehearsal_options
def serve(
    cert_dir: Path | None,
    host: str,
    port: int,
    http_port: int,
    drift: str | None,
    data: Path | None,
    announce_json: bool,
    verbose: bool,
    replay: tuple[Path, ...],
    replay_miss: str,
    allow_cpr: tuple[str, ...],
    allow_cpr_file: Path | None,
    latency: str | None,
    fail_rate: str | None,
    rate_limit: str | None,
    outage: tuple[str, ...],
    seed: int | None,
) -> None:
    """Serve the KPB web services until interrupted (Ctrl+C or SIGTERM)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        recorded = make_replay(replay, replay_miss, allow_cpr, allow_cpr_file)
        rehearsal = make_rehearsal(latency, fail_rate, rate_limit, outage, seed)
    except (ReplayError, ValueError) as exc:
        raise _InvalidInput(str(exc)) from exc
    throwaway = None
    try:
        if cert_dir is None:
            throwaway = Path(tempfile.mkdtemp(prefix="kpb-sim-"))
            certs = create_certificates(throwaway)
        else:
            certs = load_certificates(cert_dir)
        simulator = Simulator(
            certs,
            host=host,
            port=port,
            http_port=http_port,
            drift=drift,
            data=data,
            replay=recorded,
            rehearsal=rehearsal,
        )
    except CertificateError as exc:
        _remove(throwaway)
        raise _CertificateProblem(str(exc)) from exc
    except DataError as exc:
        _remove(throwaway)
        raise _InvalidInput(str(exc)) from exc

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
    try:
        try:
            simulator.start()
        except OSError as exc:
            raise _CannotListen(f"cannot listen on {host}: {exc}") from exc
        if announce_json:
            click.echo(json.dumps(_announcement(simulator)), nl=True)
        for line in _instructions(simulator, throwaway is not None):
            click.echo(line, err=announce_json)
        stop.wait()
        click.echo(f"Stopping the KPB simulator{_replayed(recorded)}.", err=announce_json)
    finally:
        simulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _remove(throwaway)


# `kpb sim` alone serves, so it takes serve's options (whatever serve gets later).
sim.params.extend(serve.params)


@sim.command("drift-modes")
def drift_modes() -> None:
    """List the drift modes: name, whether it breaks the contract, what it changes."""
    width = max(len(name) for name in DRIFT_MODES)
    for mode in DRIFT_MODES.values():
        kind = "breaking" if mode.breaking else "allowed"
        click.echo(f"{mode.name:<{width}}  {kind:<8}  {mode.description}")


def _announcement(simulator: Simulator) -> dict[str, object]:
    certs = simulator.certificates
    return {
        "base_url": simulator.base_url,
        "http_base_url": simulator.http_base_url,
        "port": simulator.port,
        "http_port": simulator.http_port,
        "drift": simulator.drift.name if simulator.drift else None,
        "replay": [str(path) for path in simulator.replay.sources] if simulator.replay else [],
        "rehearsal": dataclasses.asdict(simulator.rehearsal) if simulator.rehearsal else None,
        "cert_dir": str(certs.directory),
        "ca_cert": str(certs.ca_cert),
        "password_file": str(certs.password_file),
        "clients": {
            client.name: {
                "cert": str(client.cert),
                "key": str(client.key),
                "key_encrypted": str(client.key_encrypted),
                "p12": str(client.p12),
                "thumbprint": client.thumbprint,
                "services": list(client.services),
            }
            for client in certs.clients.values()
        },
    }


def _instructions(simulator: Simulator, throwaway: bool) -> list[str]:
    certs: CertificateSet = simulator.certificates
    registered = certs.client("registered")
    q = shlex.quote
    modes = [f"drift mode {simulator.drift.name!r}"] if simulator.drift else []
    modes += ["replaying recordings"] if simulator.replay else []
    mode = ", ".join(modes) or "faithful"
    where = " (throwaway, removed on exit)" if throwaway else ""
    return [
        f"KPB simulator ({mode}) listening on {simulator.base_url}",
        f"  plain HTTP (403 HTTPS Required): {simulator.http_base_url}",
        f"  certificates: {certs.directory}{where}",
        f"  CA to trust:  {certs.ca_cert}",
        *_variations(simulator),
        "Try:",
        f"  curl --cacert {q(str(certs.ca_cert))} --cert {q(str(registered.cert))} "
        f"--key {q(str(registered.key))} "
        f"{q(f'{simulator.base_url}/Application?cpr={_EXAMPLE_CPR}')}",
        f"  curl --cacert {q(str(certs.ca_cert))} "
        f"{q(f'{simulator.base_url}/MedicalCertificate?cpr={_EXAMPLE_CPR}')}"
        "    # 401 Certificate required",
        "Stop with Ctrl+C.",
    ]


def _variations(simulator: Simulator) -> list[str]:
    """What the simulator replays and rehearses, a line each."""
    lines = [f"  {simulator.replay.describe()}"] if simulator.replay else []
    if simulator.rehearsal is not None:
        lines += [f"  rehearsing {line}" for line in simulator.rehearsal.describe()]
    return lines


def _replayed(replay: Replay | None) -> str:
    if replay is None:
        return ""
    return f" (recorded answers served: {replay.served}; not from a recording: {replay.missed})"


def _remove(directory: Path | None) -> None:
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
