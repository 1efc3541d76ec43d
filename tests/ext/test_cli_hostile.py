"""The kpb command against hostile servers and operator mistakes: one line, a next step
and a documented exit code, never a traceback, a full CPR number or a password.

Every command runs in process with ``catch_exceptions=False``, so a traceback fails the
test; where Python's own start-up and shut-down matter (warnings, a closed pipe), it
runs as a real process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import ssl
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kpb_cli import ExitCode, cli
from kpb_ext import masked_label

from .pki import CA, Issued
from .servers import Reply, TestServer, kpb

pytestmark = pytest.mark.network

Serve = Callable[..., TestServer]
CPR = "0702614074"
# Every way the number has been seen written in an error body.
RENDERINGS = [
    "07 02 61 40 74",
    "0702 614074",
    "070261\u20134074",  # en dash
    "070261\u20144074",  # em dash
    "070261\u22124074",  # minus sign
    "070261.4074",
    "070261%2B4074",
    "\uff10\uff17\uff10\uff12\uff16\uff11\uff14\uff10\uff17\uff14",  # full-width
    "07.02.61-4074",
    "070261 - 4074",
]


def run(*args: str) -> Result:
    unset = dict.fromkeys(name for name in os.environ if name.startswith("KPB_"))
    return CliRunner().invoke(cli, list(args), env=unset, catch_exceptions=False)


def target(
    server: TestServer, ca_file: Path, cert: Path | None = None, key: Path | None = None
) -> list[str]:
    """The options that name *server*, and the client certificate if one is given."""
    options = ["--base-url", server.base_url, "--ca-bundle", str(ca_file)]
    if cert is not None and key is not None:
        options += ["--cert", str(cert), "--key", str(key)]
    return options


def assert_no_cpr(text: str) -> None:
    for rendering in [*RENDERINGS, CPR, "070261-4074"]:
        assert rendering not in text
    for line in text.splitlines():
        digits = "".join(str(int(c)) for c in line if c.isdecimal())
        assert CPR not in digits, line


def assert_one_line_and_a_next_step(text: str) -> None:
    lines = text.strip().splitlines()
    assert len(lines) >= 2, text
    assert lines[-1].startswith("Next step: "), text
    assert "Traceback" not in text


# -- no CPR over anything but verified HTTPS ---------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["applications", CPR],
        ["medical-certificates", CPR],
        ["lookup", CPR],
        ["ping"],
        ["doctor"],
    ],
)
def test_no_command_sends_anything_over_plain_http(serve: Serve, command: list[str]) -> None:
    plain = serve(kpb, server_cert=None)
    result = run("--base-url", plain.base_url, *command)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "plain HTTP" in result.stderr + result.stdout
    assert plain.count() == 0  # not even /test


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "ftp://x",
        "https://",
        "https://[::1/api",
        "https://h:abc/api",
        " https://service-kpbt2.knowledgecube.net/api",
        "https://service-kpbt2.knowledgecube.net/api?x=1",
    ],
)
@pytest.mark.parametrize("command", [["applications", CPR], ["lookup", CPR], ["ping"]])
def test_a_malformed_base_url_is_one_line_and_exit_2(url: str, command: list[str]) -> None:
    result = run("--base-url", url, *command)
    assert result.exit_code == ExitCode.USAGE
    assert_one_line_and_a_next_step(result.stderr)
    assert result.stderr.startswith("InvalidBaseUrlError: ")


@pytest.mark.parametrize("url", ["not a url", "https://[::1/api", "http://127.0.0.1:9/api"])
def test_doctor_names_the_base_url_step(url: str) -> None:
    result = run("--base-url", url, "doctor")
    assert result.exit_code == ExitCode.USAGE
    assert "✗ Base URL: InvalidBaseUrlError" in result.stdout
    assert "Next step:" in result.stdout
    assert "DNS" not in result.stdout


def test_ping_never_prints_credentials_in_the_base_url(serve: Serve, ca_file: Path) -> None:
    server = serve(kpb)
    url = server.base_url.replace("https://", "https://kommune:hemmeligt@")
    result = run("--base-url", url, "--ca-bundle", str(ca_file), "ping")
    assert result.exit_code == ExitCode.USAGE
    assert "hemmeligt" not in result.output
    assert "user name or password" in result.stderr
    assert server.count() == 0


def test_the_contract_suite_refuses_production_written_with_a_trailing_dot(
    tmp_path: Path,
) -> None:
    for url in (
        "https://service-koreprovebooking.dk./api",
        "https://SERVICE-KOREPROVEBOOKING.DK./api",
    ):
        result = run("--base-url", url, "--p12", str(tmp_path / "none.p12"), "contract")
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "not production" in result.output


# -- masking in what is shown ----------------------------------------------------------------


def test_every_rendering_of_a_cpr_in_an_error_message_is_masked(
    serve: Serve, ca_file: Path
) -> None:
    message = "Ugyldig: " + " | ".join(RENDERINGS)
    server = serve(lambda request: Reply.message(400, message))
    result = run(*target(server, ca_file), "applications", CPR)
    assert result.exit_code == ExitCode.KPB_ERROR
    assert "BadRequestError" in result.stderr
    assert result.stderr.count("070261-****") == len(RENDERINGS)
    assert_no_cpr(result.output)


def test_the_excerpt_of_an_unexpected_body_is_shown_masked(serve: Serve, ca_file: Path) -> None:
    page = "<html><body><h1>Log ind</h1><p>Bruger 07 02 61 40 74 er logget ud</p></body></html>"
    server = serve(lambda request: Reply(200, page.encode(), {"Content-Type": "text/html"}))
    result = run(*target(server, ca_file), "applications", CPR)
    assert result.exit_code == ExitCode.KPB_ERROR
    assert "InvalidResponseError" in result.stderr
    (excerpt,) = [line for line in result.stderr.splitlines() if line.startswith("Excerpt: ")]
    assert "<h1>Log ind</h1>" in excerpt
    assert "Bruger 070261-**** er logget ud" in excerpt
    assert_no_cpr(result.output)


@pytest.mark.parametrize(
    "message", ["[/] lukket", "[bold]fed[/bold] [link=x]", "\x1b]0;ejet\x07 titel"]
)
def test_server_text_is_shown_as_text_not_markup_or_terminal_codes(
    serve: Serve, ca_file: Path, message: str
) -> None:
    server = serve(lambda request: Reply.message(400, message))
    result = run(*target(server, ca_file), "applications", CPR)
    assert result.exit_code == ExitCode.KPB_ERROR
    assert "\x1b" not in result.stderr
    shown = message.replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    assert shown in result.stderr


# -- TLS and certificates: the hint that fits -----------------------------------------------


def test_a_tls_1_0_only_server_gets_a_version_hint(serve: Serve, ca_file: Path) -> None:
    server = serve(kpb, minimum_tls=ssl.TLSVersion.TLSv1, maximum_tls=ssl.TLSVersion.TLSv1)
    result = run(*target(server, ca_file), "ping")
    assert result.exit_code == ExitCode.NETWORK
    assert "TlsError" in result.stderr
    hint = result.stderr.split("Next step: ", 1)[1]
    assert "TLS 1.2" in hint
    assert "client certificate" not in hint
    assert server.count() == 0

    doctor = run(*target(server, ca_file), "doctor")
    assert doctor.exit_code == ExitCode.NETWORK
    assert "✗ TLS" in doctor.stdout
    assert "TLS 1.2" in doctor.stdout.split("Next step:", 1)[1]


def test_a_bad_ca_bundle_gets_a_ca_bundle_hint(serve: Serve, tmp_path: Path) -> None:
    server = serve(kpb)
    bundle = tmp_path / "not-a-bundle.pem"
    bundle.write_text("this is no certificate\n", encoding="utf-8")
    for command in (["ping"], ["doctor"]):
        result = run("--base-url", server.base_url, "--ca-bundle", str(bundle), *command)
        assert result.exit_code == ExitCode.CERTIFICATE, result.output
        output = result.stdout + result.stderr
        assert "not-a-bundle.pem" in output
        hint = output.split("Next step:", 1)[1]
        assert "CA certificates" in hint
        assert "PKCS#12" not in hint


def test_a_key_that_does_not_belong_is_named_as_the_key(
    serve: Serve, ca: CA, ca_file: Path, tmp_path: Path
) -> None:
    server = serve(kpb)
    mine, other = ca.issue("kpb test client"), ca.issue("another client")
    cert_path, _ = mine.write_pem(tmp_path, "mine")
    _, key_path = other.write_pem(tmp_path, "other")
    result = run(*target(server, ca_file, cert_path, key_path), "applications", CPR)
    assert result.exit_code == ExitCode.CERTIFICATE
    message = result.stderr.splitlines()[0]
    assert re.search(r"the private key in '[^']*other\.key' does not belong", message), message
    assert "mine.crt" in message
    assert server.count() == 0


def test_the_expiry_warning_is_shown_once_in_our_words(
    serve: Serve, ca: CA, ca_file: Path, tmp_path: Path
) -> None:
    server = serve(kpb)
    soon = ca.issue("kpb test client", not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=20))
    cert_path, key_path = soon.write_pem(tmp_path, "soon")
    result = kpb_process(*target(server, ca_file, cert_path, key_path), "applications", CPR)
    assert result.returncode == 0, result.stderr
    mentions = [line for line in result.stderr.splitlines() if "expires on" in line]
    assert len(mentions) == 1, result.stderr
    assert mentions[0].startswith("Warning: the certificate")
    assert "functools" not in result.stderr
    assert "CertificateExpiryWarning" not in result.stderr


# -- the safety net ---------------------------------------------------------------------------


def test_an_unforeseen_error_is_one_line_exit_70_and_masked_details_with_v(
    serve: Serve, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpb_ext import KpbClient

    def broken(self: KpbClient) -> list[str]:
        raise RuntimeError(f"a fault while handling {CPR}")

    monkeypatch.setattr(KpbClient, "ping", broken)
    server = serve(kpb)
    quiet = run(*target(server, ca_file), "ping")
    assert quiet.exit_code == ExitCode.INTERNAL == 70
    assert quiet.stderr.splitlines()[0] == "Unexpected error: RuntimeError"
    assert_one_line_and_a_next_step(quiet.stderr)
    assert "-v" in quiet.stderr

    verbose = run("-v", *target(server, ca_file), "ping")
    assert verbose.exit_code == ExitCode.INTERNAL
    assert "a fault while handling 070261-****" in verbose.stderr
    assert "Traceback" in verbose.stderr  # the details, on request
    assert_no_cpr(verbose.stderr)


def test_a_closed_output_pipe_ends_quietly(tmp_path: Path) -> None:
    """`kpb lookup ... | head -c 100`: no traceback when the reader goes away."""
    numbers = tmp_path / "numbers.txt"
    numbers.write_text(
        "\n".join(
            f"{day:02d}0{month}61{serial:04d}"
            for day in range(1, 29)
            for month in (1, 2)
            for serial in range(1000, 1040)
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPB_")}
    kpb_run = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kpb_cli import main; main()",
            "lookup",
            "--from-file",
            str(numbers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert kpb_run.stdout is not None
    assert kpb_run.stdout.read(100)
    kpb_run.stdout.close()
    _, errors = kpb_run.communicate(timeout=120)
    assert kpb_run.returncode == ExitCode.PIPE_CLOSED, errors
    assert b"Traceback" not in errors
    assert b"BrokenPipeError" not in errors
    assert b"Exception ignored" not in errors


def kpb_process(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPB_")}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, "-c", "from kpb_cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "body"),
    [
        ("medical-certificates", {"MedicalCertificates": None}),
        ("applications", {"Applications": [], "TotalCount": 0, "Paging": {"Page": 1}}),
    ],
    ids=["null list", "members the spec does not name"],
)
def test_json_writes_back_the_whole_answer(
    serve: Serve, ca_file: Path, command: str, body: dict[str, object]
) -> None:
    # D22: a null list is written back null; D23: unknown members are kept.
    server = serve(lambda request: Reply.json(body))
    result = run(*target(server, ca_file), command, CPR, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == body
    table = run(*target(server, ca_file), command, CPR)
    assert table.exit_code == 0, table.output
    assert "no " in table.stdout
    # and so does a batch, in its result line
    batch = run(*target(server, ca_file), "lookup", "--what", command, CPR)
    assert batch.exit_code == 0, batch.output
    assert json.loads(batch.stdout) == {"index": 1, "cpr": masked_label(CPR), **body}


def test_doctor_reports_the_first_failure_of_a_step_without_retrying(
    serve: Serve, ca_file: Path, client_cert: Issued, tmp_path: Path
) -> None:
    # A diagnosis: each step says what happened the first time, within --timeout.
    cert, key = client_cert.write_pem(tmp_path, "client")
    server = serve(lambda request: Reply.message(503, "Service Unavailable"))
    result = run(*target(server, ca_file, cert, key), "doctor", "--timeout", "5")
    assert result.exit_code == ExitCode.KPB_ERROR, result.output
    assert "503" in result.output
    assert len(server.requests) == 1
