"""``kpb contract`` as a user runs it: a real process, real sockets, real exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from kpb_cli import ExitCode
from kpb_sim import CertificateSet, Simulator

KPB = str(Path(sys.executable).with_name("kpb"))


# The target and the certificate are options of kpb itself, as for its other commands.
TARGET_OPTIONS = frozenset({"--env", "--base-url", "--cert", "--key", "--p12", "--ca-bundle"})


def kpb_contract(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``kpb [target options...] contract [its own options...]`` in a clean environment."""
    words = list(map(str, args))
    before: list[str] = []
    after: list[str] = []
    while words:
        word = words.pop(0)
        if word in TARGET_OPTIONS:
            before += [word, words.pop(0)]
        else:
            after.append(word)
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("KPB_") and not name.startswith("PYTEST_")
    }
    environment.update(env or {})
    return subprocess.run(
        [KPB, *before, "contract", *after],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _key_material(*pem_files: Path) -> list[str]:
    """Pieces of the base64 inside PEM files, long enough to be unique to them."""
    pieces = []
    for path in pem_files:
        lines = [line for line in path.read_text().splitlines() if not line.startswith("-----")]
        pieces += [line for line in lines[1:-1] if len(line) >= 40][:3]
    return pieces


def _assert_no_secrets(report_dir: Path, *pem_files: Path) -> None:
    for path in report_dir.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "PRIVATE KEY" not in text, path
        assert "-----BEGIN" not in text, path
        for piece in _key_material(*pem_files):
            assert piece not in text, path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.network
@pytest.mark.slow
def test_without_arguments_the_embedded_simulator_is_tested(tmp_path: Path) -> None:
    result = kpb_contract(cwd=tmp_path)

    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert "embedded simulator" in result.stderr
    # progress while it runs: stderr is a pipe here, so plain lines, one per phase at least
    progress = [
        line for line in result.stderr.splitlines() if " assumptions contradicted | " in line
    ]
    assert any("schemathesis coverage phase, GET /Application" in line for line in progress)
    assert any(line.startswith("kpb contract: Bilag A data checks") for line in progress)
    assert "\r" not in result.stderr
    assert "Result: CONFORMS" in result.stdout
    report_dir = tmp_path / "kpb-contract-report"
    assert (report_dir / "summary.txt").read_text(encoding="utf-8") == result.stdout
    # nothing else is left in the current directory (.hypothesis, .pytest_cache)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpb-contract-report"]

    suite = ET.parse(report_dir / "junit.xml").getroot().find("testsuite")  # noqa: S314 (ours)
    assert suite is not None
    assert suite.get("name") == "kpb-contract"
    assert int(suite.get("tests", "0")) >= 50
    assert suite.get("failures") == "0"
    assert suite.get("errors") == "0"
    names = {case.get("name", "") for case in suite.iter("testcase")}
    assert {"test_openapi[GET /Application]", "test_openapi[GET /MedicalCertificate]"} <= names

    har = json.loads((report_dir / "exchanges.har").read_text(encoding="utf-8"))
    entries = har["log"]["entries"]
    requests_line = next(line for line in result.stdout.splitlines() if " requests in " in line)
    assert len(entries) == int(requests_line.split()[0])
    clients = {entry["comment"].split(";")[0] for entry in entries}
    assert {
        "client: the given certificate",
        "client: no certificate",
        "client: plain HTTP",
    } <= clients
    _assert_no_secrets(report_dir)


def _short_run(simulator: Simulator, certificates: CertificateSet, tmp_path: Path) -> list[str]:
    """The options of a short run against *simulator*, reports in tmp_path/report."""
    return [
        "--base-url",
        simulator.base_url,
        "--ca-bundle",
        str(certificates.ca_cert),
        "--http-base-url",
        str(simulator.http_base_url),
        "--max-examples",
        "5",
        "--report-dir",
        str(tmp_path / "report"),
    ]


@pytest.mark.network
def test_a_pkcs12_certificate_with_its_password_from_a_file(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, tmp_path: Path
) -> None:
    registered = kpb_sim_certs.client("registered")
    password_file = tmp_path / "password"
    password_file.write_text(registered.password + "\n")
    result = kpb_contract(
        *_short_run(kpb_sim, kpb_sim_certs, tmp_path),
        "--p12",
        registered.p12,
        "--no-data-checks",
        cwd=tmp_path,
        env={"KPB_CERT_PASSWORD_FILE": str(password_file)},
    )

    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert "Data checks: not run" in result.stdout
    # one certificate cannot provoke every 401: the summary says which, and why
    assert (
        "not reached: 401 Certificate doesn't exist  (needs a certificate that is not registered"
        in result.stdout
    )
    assert "reached: 401 Certificate required" in result.stdout
    _assert_no_secrets(tmp_path / "report", registered.cert, registered.key, kpb_sim_certs.ca_cert)


@pytest.mark.network
def test_a_certificate_refused_for_one_service_exits_5_and_the_rest_is_checked(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, tmp_path: Path
) -> None:
    # KOMBIT approved this certificate for /Application only: /MedicalCertificate answers
    # 401 Access not allowed, which is KPB doing its job, not breaking the contract.
    allowed = kpb_sim_certs.client("application-only")
    result = kpb_contract(
        *_short_run(kpb_sim, kpb_sim_certs, tmp_path),
        "--cert",
        allowed.cert,
        "--key",
        allowed.key_encrypted,
        cwd=tmp_path,
        env={"KPB_CERT_PASSWORD": allowed.password},
    )

    assert result.returncode == ExitCode.CERTIFICATE, result.stdout + result.stderr
    assert "refused the given certificate (GET /MedicalCertificate)" in result.stdout
    assert "401 Access not allowed for Certificate" in result.stdout
    assert "0 violations" in result.stdout
    # /Application was checked, its Bilag A data included
    assert "Data checks: 7 of 7 as in Bilag A" in result.stdout, result.stdout
    junit = (tmp_path / "report" / "junit.xml").read_text(encoding="utf-8")
    assert 'failures="0"' in junit
    assert 'errors="0"' in junit


@pytest.mark.network
def test_an_unreachable_target_exits_4(kpb_sim_certs: CertificateSet, tmp_path: Path) -> None:
    registered = kpb_sim_certs.client("registered")
    # the target and certificate as options of kpb itself, as for its other commands
    result = kpb_contract(
        "--ca-bundle",
        kpb_sim_certs.ca_cert,
        "--base-url",
        f"https://127.0.0.1:{_free_port()}/api",
        "--cert",
        str(registered.cert),
        "--key",
        str(registered.key_encrypted),
        cwd=tmp_path,
        env={"KPB_CERT_PASSWORD": registered.password},
    )

    assert result.returncode == ExitCode.NETWORK, result.stdout + result.stderr
    assert "Result: NOT CHECKED: the target cannot be reached" in result.stdout
    assert "Connection refused" in result.stdout or "ConnectionRefused" in result.stdout


def test_an_unreadable_certificate_exits_5(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    result = kpb_contract(
        "--base-url", "https://127.0.0.1:1/api", "--cert", missing, "--key", missing, cwd=tmp_path
    )

    assert result.returncode == ExitCode.CERTIFICATE, result.stdout + result.stderr
    assert "CertificateLoadError" in result.stderr
    assert "missing.pem" in result.stderr


def test_a_wrong_password_exits_5(kpb_sim_certs: CertificateSet, tmp_path: Path) -> None:
    result = kpb_contract(
        "--base-url",
        "https://127.0.0.1:1/api",
        "--p12",
        kpb_sim_certs.client("registered").p12,
        cwd=tmp_path,
        env={"KPB_CERT_PASSWORD": "not the password"},
    )

    assert result.returncode == ExitCode.CERTIFICATE, result.stdout + result.stderr
    assert "password" in result.stderr


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--base-url", "https://kpb.example/api", "--key", "k.pem"], "--key needs --cert"),
        (
            ["--base-url", "https://kpb.example/api", "--p12", "f.p12", "--cert", "c.pem"],
            "give --p12, or --cert",
        ),
        (["--base-url", "https://kpb.example/api"], "needs the function certificate"),
        (["--p12", "f.p12"], "needs a KPB to check"),
        (["--rate-limit", "fast"], "is not a rate"),
        (["--max-examples", "0"], "--max-examples"),
        (
            ["--base-url", "https://Service-Koreprovebooking.dk/api/", "--p12", "f.p12"],
            "not production",
        ),
        (["--env", "production", "--p12", "f.p12"], "not production"),
        (["--env", "test", "--base-url", "https://kpb.example/api"], "--env or --base-url"),
        (["--base-url", "http://kpb.example/api", "--p12", "f.p12"], "is plain HTTP"),
        (
            ["--base-url", "https://service-koreprovebooking.dk./api", "--p12", "f.p12"],
            "not production",
        ),
        (
            [
                "--base-url",
                "https://kpb.example/api",
                "--http-base-url",
                "kpb.example",
                "--p12",
                "f",
            ],
            "it should start with http://",
        ),
    ],
)
def test_wrong_usage_exits_2(args: list[str], complaint: str, tmp_path: Path) -> None:
    result = kpb_contract(*args, cwd=tmp_path)

    assert result.returncode == ExitCode.USAGE, result.stdout + result.stderr
    assert complaint in result.stderr
    assert not (tmp_path / "kpb-contract-report").exists()


def test_the_password_is_not_an_option(tmp_path: Path) -> None:
    result = kpb_contract("--password", "secret", cwd=tmp_path)

    assert result.returncode == ExitCode.USAGE
    assert "No such option '--password'" in result.stderr


def test_the_target_options_belong_to_kpb_itself(tmp_path: Path) -> None:
    # one place resolves the target for every command: contract takes none of its own
    result = subprocess.run(
        [KPB, "contract", "--base-url", "https://kpb.example/api"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == ExitCode.USAGE
    assert "No such option '--base-url'" in result.stderr
