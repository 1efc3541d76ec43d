"""`kpb sim`: init, serve, drift-modes, and `python -m kpb_sim`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kpb_cli import ExitCode
from kpb_cli._sim import sim
from kpb_sim import DRIFT_MODES, CertificateSet, load_certificates

KPB = Path(sys.executable).parent / "kpb"


def test_drift_modes_lists_every_mode_with_its_description() -> None:
    result = CliRunner().invoke(sim, ["drift-modes"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(DRIFT_MODES)
    for line, mode in zip(lines, DRIFT_MODES.values(), strict=True):
        name, kind, description = line.split(maxsplit=2)
        assert (name, description) == (mode.name, mode.description)
        assert kind == ("breaking" if mode.breaking else "allowed")


def test_init_creates_a_set_and_refuses_to_overwrite_it(tmp_path: Path, report: Any) -> None:
    runner = CliRunner()
    started = time.perf_counter()
    result = runner.invoke(sim, ["init", str(tmp_path / "certs")])
    report(f"`kpb sim init DIR` (in process): {time.perf_counter() - started:.2f} s")
    assert result.exit_code == 0, result.output
    certs = load_certificates(tmp_path / "certs")
    for client in certs.clients.values():
        assert client.thumbprint in result.output
    assert "kpb sim serve --cert-dir" in result.output
    again = runner.invoke(sim, ["init", str(tmp_path / "certs")])
    assert again.exit_code == 2
    assert "already holds a simulator certificate set" in again.output


def test_serve_explains_a_directory_without_certificates(tmp_path: Path) -> None:
    result = CliRunner().invoke(sim, ["serve", "--cert-dir", str(tmp_path)])
    assert result.exit_code == 5
    assert "kpb sim init DIR" in result.output


def test_serve_explains_a_bad_data_file(kpb_sim_certs: CertificateSet, tmp_path: Path) -> None:
    data = tmp_path / "persons.yaml"
    data.write_text("persons: [{cpr: 12}]", encoding="utf-8")
    arguments = ["serve", "--cert-dir", str(kpb_sim_certs.directory), "--data", str(data)]
    result = CliRunner().invoke(sim, arguments)
    assert result.exit_code == 2
    assert "quoted string of 10 digits" in result.output


def test_serve_explains_a_busy_port(kpb_sim: Any, kpb_sim_certs: CertificateSet) -> None:
    arguments = ["serve", "--cert-dir", str(kpb_sim_certs.directory), "--port", str(kpb_sim.port)]
    result = CliRunner().invoke(sim, arguments)
    assert result.exit_code == 4
    assert "cannot listen on 127.0.0.1" in result.output


def test_serve_refuses_an_unknown_drift_mode(tmp_path: Path) -> None:
    result = CliRunner().invoke(sim, ["serve", "--drift", "sideways"])
    assert result.exit_code == 2
    assert "missing-field" in result.output


@contextmanager
def running(command: list[str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
    )
    watchdog = threading.Timer(30, process.kill)
    watchdog.start()
    try:
        yield process
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            assert stream is not None
            stream.close()


@pytest.mark.parametrize("drift", [None, "wrong-type"])
def test_serve_announces_json_and_stops_on_sigterm(
    kpb_sim_certs: CertificateSet, client: Any, report: Any, drift: str | None
) -> None:
    command = [sys.executable, "-m", "kpb_sim", "--cert-dir", str(kpb_sim_certs.directory)]
    command += ["--announce-json"] + (["--drift", drift] if drift else [])
    started = time.perf_counter()
    with running(command) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        announcement = json.loads(process.stdout.readline())
        ready = time.perf_counter() - started
        if drift is None:
            report(f"`python -m kpb_sim serve --cert-dir DIR` ready to serve: {ready:.2f} s")
        assert announcement["base_url"] == f"https://127.0.0.1:{announcement['port']}/api"
        assert announcement["http_base_url"] == f"http://127.0.0.1:{announcement['http_port']}/api"
        assert announcement["drift"] == drift
        assert announcement["ca_cert"] == str(kpb_sim_certs.ca_cert)
        assert announcement["clients"]["registered"]["key"] == str(
            kpb_sim_certs.client("registered").key
        )
        answer = client.request(f"{announcement['base_url']}/MedicalCertificate?cpr=0702614074")
        assert answer.status == 200
        code = answer.json()["MedicalCertificates"][0]["Status"]["Code"]
        assert code == ("2" if drift == "wrong-type" else 2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        human = process.stderr.read()
        assert process.stdout.read() == ""  # stdout holds the JSON line only
    assert f"listening on {announcement['base_url']}" in human
    assert "curl --cacert" in human
    assert "registered-key.pem" in human


@pytest.mark.skipif(not KPB.exists(), reason="the kpb console script is not installed")
def test_kpb_sim_alone_serves_throwaway_certificates_and_cleans_up(client_for: Any) -> None:
    with running([str(KPB), "sim"]) as process:
        assert process.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("Stop with"):
            line = process.stdout.readline()
            assert line, f"output ended early: {lines}"
            lines.append(line.rstrip("\n"))
        text = "\n".join(lines)
        base_url = re.search(r"listening on (https://\S+)", text)
        where = re.search(r"certificates: (\S+) \(throwaway", text)
        assert base_url
        assert where
        directory = Path(where.group(1))
        certs = load_certificates(directory)
        curl = next(line.strip() for line in lines if "/Application?cpr=" in line)
        assert curl.startswith(
            f"curl --cacert {certs.ca_cert} --cert {certs.client('registered').cert}"
        )
        answer = client_for(certs).request(f"{base_url.group(1)}/Application?cpr=0702614074")
        assert answer.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert not directory.exists()


# -- operator mistakes: one line, a documented exit code, never a traceback ---------------


@pytest.mark.parametrize("option", ["--port", "--http-port"])
@pytest.mark.parametrize("port", ["99999", "-1"])
def test_serve_refuses_a_port_that_does_not_exist(option: str, port: str) -> None:
    result = CliRunner().invoke(sim, ["serve", option, port], catch_exceptions=False)
    assert result.exit_code == 2
    assert "0<=x<=65535" in result.output


def test_init_in_a_directory_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    for directory in ("/proc/kpb-sim-certs", str(blocker / "certs")):
        result = CliRunner().invoke(sim, ["init", directory], catch_exceptions=False)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"Error: cannot create a certificate set in {directory}")
        assert len(result.output.strip().splitlines()) == 1


def test_serve_explains_a_binary_data_file(kpb_sim_certs: CertificateSet, tmp_path: Path) -> None:
    data = tmp_path / "persons.yaml"
    data.write_bytes(bytes(range(256)) * 4)
    arguments = ["serve", "--cert-dir", str(kpb_sim_certs.directory), "--data", str(data)]
    result = CliRunner().invoke(sim, arguments, catch_exceptions=False)
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.output


@pytest.mark.skipif(not KPB.exists(), reason="the kpb console script is not installed")
def test_sim_alone_takes_the_options_of_serve(kpb_sim_certs: CertificateSet, client: Any) -> None:
    command = [str(KPB), "sim", "--port", "0", "--announce-json"]
    command += ["--cert-dir", str(kpb_sim_certs.directory)]
    with running(command) as process:
        assert process.stdout is not None
        announcement = json.loads(process.stdout.readline())
        answer = client.request(f"{announcement['base_url']}/test")
        assert answer.status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_serve_options_before_another_subcommand_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(sim, ["--port", "8443", "init", str(tmp_path / "certs")])
    assert result.exit_code == 2
    assert "--port belongs to `kpb sim serve`" in result.output
    assert not (tmp_path / "certs").exists()


# -- the embedded simulator's throwaway keys ------------------------------------------------


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, getattr(signal, "SIGHUP", 1)])
@pytest.mark.parametrize(
    ("arguments", "ended"),
    [
        # a batch waiting for input: it stops, says what was done and exits 6
        (["lookup", "--from-file", "-"], "interrupted"),
        # a command that leaves signals alone still dies of the signal
        (["contract", "--report-dir", "report"], "by the signal"),
    ],
    ids=["lookup", "contract"],
)
def test_embedded_simulator_keys_are_removed_when_a_signal_ends_kpb(
    tmp_path: Path, signum: int, arguments: list[str], ended: str
) -> None:
    """With no target, kpb embeds a simulator with throwaway keys in TMPDIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPB_")}
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env["TMPDIR"] = str(temporary)
    command = [sys.executable, "-c", "from kpb_cli import main; main()"]
    process = subprocess.Popen(
        [*command, *arguments],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stderr is not None
        assert "embedded simulator" in process.stderr.readline()
        for _ in range(200):  # the line may come before the keys are written
            keys = list(temporary.glob("kpb-*/*-key.pem"))
            if keys:
                break
            time.sleep(0.05)
        assert keys, list(temporary.iterdir())
        process.send_signal(signum)
        code = process.wait(timeout=60)
        if ended == "interrupted":
            assert code == ExitCode.INTERRUPTED, process.stderr.read()
        else:
            assert code == -signum  # ended by the signal, as before
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stderr):
            assert stream is not None
            stream.close()
    assert not any(path.exists() for path in keys)
    assert list(temporary.iterdir()) == []
