"""The kpb command against the simulator over real mutual TLS on loopback."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from kpb_cli import ExitCode, cli
from kpb_sim import BILAG_A, DRIFT_MODES, CertificateSet, Simulator, load_persons
from kpb_sim.pytest_plugin import SimulatorFactory
from tests.support.bilag_a import TEST_CPRS

HYPHENATED = [f"{c[:6]}-{c[6:]}" for c in TEST_CPRS]

pytestmark = pytest.mark.network


def kpb(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    clean = {
        name: None
        for name in (
            "KPB_ENV",
            "KPB_BASE_URL",
            "KPB_CERT",
            "KPB_KEY",
            "KPB_P12",
            "KPB_CA_BUNDLE",
            "KPB_CERT_PASSWORD",
            "KPB_CERT_PASSWORD_FILE",
        )
    }
    runner = CliRunner()
    return runner.invoke(
        cli, list(args), env={**clean, **(env or {})}, input=stdin, catch_exceptions=False
    )


def against(
    simulator: Simulator, certs: CertificateSet, name: str | None = "registered"
) -> list[str]:
    args = ["--base-url", simulator.base_url, "--ca-bundle", str(certs.ca_cert)]
    if name is not None:
        files = certs.client(name)
        args += ["--cert", str(files.cert), "--key", str(files.key)]
    return args


def assert_no_full_cpr(texts: Sequence[str], allowed_data: str = "") -> None:
    for text in texts:
        for number in [*TEST_CPRS, *HYPHENATED]:
            assert number not in text.replace(allowed_data, ""), f"{number[:6]}... leaked"


# -- with no target: the embedded simulator ---------------------------------------------


def test_ping_runs_against_the_embedded_simulator_and_says_so() -> None:
    result = kpb("ping")
    assert result.exit_code == 0, result.output
    assert '["Hello", "World"]' in result.stdout
    assert "embedded simulator" in result.stderr


def test_applications_table_has_danish_labels_and_masks_the_cpr() -> None:
    result = kpb("applications", "070261-4074")
    assert result.exit_code == 0, result.stderr
    assert "Prøve bestilt (11) undocumented code" in result.stdout
    assert "Kontant betaling modtaget" in result.stdout
    assert "070261-****" in result.stdout
    assert_no_full_cpr([result.stdout, result.stderr])


def test_applications_json_is_kpb_wire_json() -> None:
    result = kpb("applications", "0701614038", "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    (application,) = body["Applications"]
    assert application["LicenseCategoryCode"] == "A"
    statuses = [exam["ExamStatus"]["Name"] for exam in application["ApplicationExams"]]
    assert sorted(statuses) == ["Bestilt", "Bestået"]
    assert "2018-05-25T11:37:56.8431813" in [
        e["CreatedDate"] for e in application["ApplicationEvents"]
    ]


@pytest.mark.parametrize("cpr", TEST_CPRS)
def test_json_writes_back_exactly_what_kpb_sent(cpr: str) -> None:
    # Nulls included (D22): Elev 3, 4 and 6 have exams without a place.
    person = load_persons()[cpr]
    for command, member, records in (
        ("applications", "Applications", person.applications),
        ("medical-certificates", "MedicalCertificates", person.medical_certificates),
    ):
        result = kpb(command, cpr, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout) == {member: records}


def test_an_exam_without_a_place_is_shown_readably() -> None:
    result = kpb("applications", "0709614401")  # Elev 4: "ExamLocation": null
    assert result.exit_code == 0, result.stderr
    (exam_row,) = [line for line in result.stdout.splitlines() if "2018-05-25 12:30" in line]
    assert "│ -" in exam_row
    assert "Bestilt (1)" in exam_row
    assert "None" not in result.stdout


@pytest.mark.parametrize("mode", ["nulls", "event-type-string"])
def test_json_nulls_and_text_event_types_survive_and_show_readably(
    mode: str, kpb_sim_factory: SimulatorFactory, kpb_sim_certs: CertificateSet
) -> None:
    # Elev 3: exams without a place; under "nulls" every event's User is null too, and
    # under "event-type-string" every Type is a string, as the PDF's table types it.
    simulator = kpb_sim_factory(mode)
    wire = kpb(*against(simulator, kpb_sim_certs), "applications", "0701614038", "--json")
    assert wire.exit_code == 0, wire.stderr
    body = json.loads(wire.stdout)
    events = body["Applications"][0]["ApplicationEvents"]
    served = DRIFT_MODES[mode].apply("Application", load_persons()["0701614038"].applications)
    assert body == {"Applications": served}  # written back unchanged, nulls and strings too

    table = kpb(*against(simulator, kpb_sim_certs), "applications", "0701614038")
    assert table.exit_code == 0, table.stderr
    assert "None" not in table.stdout
    assert "Teoriprøve bestået" in table.stdout
    if mode == "nulls":
        assert all(event["User"] is None for event in events)
        history = table.stdout.split("History", 1)[1]
        assert "Borgerservice" not in history
    else:
        assert all(isinstance(event["Type"], str) for event in events)
        assert "Borgerservice" in table.stdout.split("History", 1)[1]


def test_an_answer_sent_as_text_json_is_read(
    kpb_sim_factory: SimulatorFactory, kpb_sim_certs: CertificateSet
) -> None:
    # Web API 2's other JSON media type (D24): the same data, table and --json.
    simulator = kpb_sim_factory("text-json")
    wire = kpb(*against(simulator, kpb_sim_certs), "applications", "0702614074", "--json")
    assert wire.exit_code == 0, wire.stderr
    served = load_persons()["0702614074"].applications
    assert json.loads(wire.stdout) == {"Applications": served}
    table = kpb(*against(simulator, kpb_sim_certs), "medical-certificates", "0107529039")
    assert table.exit_code == 0, table.stderr
    assert "Gruppe 2" in table.stdout


def test_medical_certificates_table_and_json() -> None:
    table = kpb("medical-certificates", "0107529039")
    assert table.exit_code == 0, table.stderr
    assert "Modtaget (1)" in table.stdout
    assert "Gruppe 2" in table.stdout
    assert_no_full_cpr([table.stdout, table.stderr])

    empty = kpb("medical-certificates", "0707614293", "--json")
    assert json.loads(empty.stdout) == {"MedicalCertificates": []}


@pytest.mark.parametrize("bad", ["1234", "320261-4074", "07026l4074"])
def test_invalid_cpr_exits_2_before_any_request(bad: str) -> None:
    result = kpb("applications", bad)
    assert result.exit_code == ExitCode.USAGE
    assert "InvalidCprError" in result.stderr
    assert "Next step" in result.stderr
    assert "embedded simulator" not in result.stderr  # rejected before a target was started
    assert bad not in result.stderr or len(bad) < 10


def test_lookup_writes_one_json_line_per_distinct_number(tmp_path: Path) -> None:
    numbers = tmp_path / "cprs.txt"
    numbers.write_text(
        "# nightly batch\n" + "\n".join(HYPHENATED) + "\n0702614074\n1234\n", encoding="utf-8"
    )
    result = kpb("lookup", "--from-file", str(numbers), "--concurrency", "4")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 8  # seven persons, the repeat looked up once, and the bad number
    by_index = {line["index"]: line for line in lines}
    assert set(by_index) == {2, 3, 4, 5, 6, 7, 8, 10}  # line numbers: the comment is line 1
    assert by_index[10]["errors"]["cpr"]["type"] == "InvalidCprError"
    assert by_index[6]["MedicalCertificates"] == []
    assert all("Applications" in by_index[i] for i in range(2, 9))
    assert result.exit_code == ExitCode.USAGE  # one invalid number, all others kept
    assert "1 InvalidCprError" in result.stderr
    assert_no_full_cpr([result.stderr])
    assert_no_full_cpr([json.dumps(line.get("cpr")) for line in lines])


def test_lookup_all_good_exits_0() -> None:
    result = kpb("lookup", *TEST_CPRS[:3], "--what", "applications")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_lookup_index_is_the_position_of_the_argument() -> None:
    result = kpb("lookup", TEST_CPRS[0], "1234", HYPHENATED[0], TEST_CPRS[1])
    indexes = sorted(json.loads(line)["index"] for line in result.stdout.splitlines())
    assert indexes == [1, 2, 4]


def test_lookup_arguments_and_a_file_are_not_mixed(tmp_path: Path) -> None:
    numbers = tmp_path / "cprs.txt"
    numbers.write_text(TEST_CPRS[0] + "\n", encoding="utf-8")
    result = kpb("lookup", TEST_CPRS[1], "--from-file", str(numbers))
    assert result.exit_code == ExitCode.USAGE
    assert "not both" in result.stderr


def test_lookup_counts_numbers_not_service_calls(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    args = against(kpb_sim, kpb_sim_certs, "unregistered")
    result = kpb(*args, "lookup", *TEST_CPRS[:2], "--what", "both")
    assert result.exit_code == ExitCode.KPB_ERROR
    summary = result.stderr.strip().splitlines()[-1]
    assert summary == (
        "2 numbers looked up, 0 without errors; numbers with errors: 2 CertificateDoesNotExistError"
    )


def test_certificate_without_target_is_a_usage_error(tmp_path: Path) -> None:
    result = kpb("--cert", str(tmp_path / "x.pem"), "ping")
    assert result.exit_code == ExitCode.USAGE
    assert "no KPB to call" in result.stderr


def test_help_lists_every_command_and_exit_code() -> None:
    result = kpb("--help")
    assert result.exit_code == 0
    for command in (
        "ping",
        "applications",
        "medical-certificates",
        "lookup",
        "doctor",
        "contract",
        "sim",
    ):
        assert command in result.stdout
    listing = " ".join(result.stdout.split())
    assert "5 a certificate cannot be used" in listing
    assert "70 an unexpected error in kpb itself" in listing


def test_help_and_readme_give_every_exit_code_the_same_meaning() -> None:
    shown = " ".join(kpb("--help").stdout.split())
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", readme, flags=re.MULTILINE)
    assert {int(code): text.replace("`", "") for code, text in rows} == {
        code.value: code.meaning for code in ExitCode
    }
    for code in ExitCode:
        assert f"{code.value} {code.meaning}" in shown


# -- against an explicit target ----------------------------------------------------------


def test_environment_variables_configure_the_target(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    files = kpb_sim_certs.client("registered")
    result = kpb(
        "applications",
        "0709614401",
        "--json",
        env={
            "KPB_BASE_URL": kpb_sim.base_url,
            "KPB_CA_BUNDLE": str(kpb_sim_certs.ca_cert),
            "KPB_P12": str(files.p12),
            "KPB_CERT_PASSWORD_FILE": str(kpb_sim_certs.password_file),
        },
    )
    assert result.exit_code == 0, result.stderr
    assert "embedded simulator" not in result.stderr
    assert json.loads(result.stdout)["Applications"][0]["LicenseCategoryCode"] == "B"


def test_wrong_p12_password_exits_5(kpb_sim: Simulator, kpb_sim_certs: CertificateSet) -> None:
    files = kpb_sim_certs.client("registered")
    result = kpb(
        "--base-url",
        kpb_sim.base_url,
        "--p12",
        str(files.p12),
        "ping",
        env={"KPB_CERT_PASSWORD": "not the password"},
    )
    assert result.exit_code == ExitCode.CERTIFICATE
    assert "CertificatePasswordError" in result.stderr
    assert "not the password" not in result.stderr


def test_unregistered_certificate_exits_3_with_registration_advice(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    result = kpb(*against(kpb_sim, kpb_sim_certs, "unregistered"), "applications", "0702614074")
    assert result.exit_code == ExitCode.KPB_ERROR
    assert "Certificate doesn't exist" in result.stderr
    assert "kpb.support@knowledgecube.net" in result.stderr
    assert_no_full_cpr([result.stdout, result.stderr])


def test_wrong_path_exits_3_and_masks_the_cpr_in_the_404_message(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    args = against(kpb_sim, kpb_sim_certs)
    args[1] = kpb_sim.base_url.removesuffix("/api") + "/wrong"
    result = kpb(*args, "applications", "0702614074")
    assert result.exit_code == ExitCode.KPB_ERROR
    assert "NotFoundError" in result.stderr
    assert "No HTTP resource was found" in result.stderr
    assert_no_full_cpr([result.stderr])


def test_closed_port_exits_4(kpb_sim_certs: CertificateSet) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = kpb(
        "--base-url",
        f"https://127.0.0.1:{port}/api",
        "--ca-bundle",
        str(kpb_sim_certs.ca_cert),
        "ping",
    )
    assert result.exit_code == ExitCode.NETWORK
    assert "ConnectionFailedError" in result.stderr


# -- kpb doctor ----------------------------------------------------------------------------


def test_doctor_passes_every_check_with_the_registered_certificate(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    result = kpb(*against(kpb_sim, kpb_sim_certs), "doctor")
    assert result.exit_code == 0, result.stdout
    steps = ["DNS", "TCP", "TLS", "Client certificate", "KPB /test", "Authorised call"]
    for step in steps:
        assert f"✓ {step}" in result.stdout
    assert kpb_sim_certs.client("registered").thumbprint in result.stdout
    assert "All checks passed" in result.stdout
    assert_no_full_cpr([result.stdout, result.stderr])


def test_doctor_with_unregistered_certificate_stops_at_the_authorised_call(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    result = kpb(*against(kpb_sim, kpb_sim_certs, "unregistered"), "doctor")
    assert result.exit_code == ExitCode.KPB_ERROR
    assert "✓ KPB /test" in result.stdout
    assert "✗ Authorised call" in result.stdout
    assert "Certificate doesn't exist" in result.stdout
    assert ".cer" in result.stdout
    assert "kpb.support@knowledgecube.net" in result.stdout
    assert "All checks passed" not in result.stdout


def test_doctor_says_which_service_an_application_only_certificate_may_not_use(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    """KPB registers a certificate per service (PDF §3.1): both services are called."""
    result = kpb(*against(kpb_sim, kpb_sim_certs, "application-only"), "doctor")
    assert result.exit_code == ExitCode.KPB_ERROR, result.stdout
    output = " ".join(result.stdout.split())
    thumbprint = kpb_sim_certs.client("application-only").thumbprint
    assert "✗ Authorised call /MedicalCertificate: AccessNotAllowedError" in output
    assert f"Certificate {thumbprint} is registered with KPB, but not for /MedicalCertificate" in (
        output
    )
    assert "✓ Authorised call /Application" in output
    assert f"certificate {thumbprint} may call /Application but not /MedicalCertificate" in output
    assert "All checks passed" not in output


def test_doctor_calls_both_services_with_the_registered_certificate(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    result = kpb(*against(kpb_sim, kpb_sim_certs), "doctor")
    assert result.exit_code == 0, result.stdout
    assert "✓ Authorised call /MedicalCertificate" in result.stdout
    assert "✓ Authorised call /Application" in result.stdout


@pytest.mark.parametrize("timeout", ["-1", "0", "nan", "inf", "1e9"])
def test_doctor_refuses_a_timeout_that_is_no_number_of_seconds(timeout: str) -> None:
    result = kpb("--base-url", "https://127.0.0.1:9/api", "doctor", "--timeout", timeout)
    assert result.exit_code == ExitCode.USAGE
    assert "--timeout" in result.stderr
    assert "DNS" not in result.stdout


def test_doctor_with_expired_certificate_stops_at_the_certificate_check(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    result = kpb(*against(kpb_sim, kpb_sim_certs, "expired"), "doctor")
    assert result.exit_code == ExitCode.CERTIFICATE
    assert "✓ TLS" in result.stdout
    assert "✗ Client certificate" in result.stdout
    assert "CertificateExpiredError" in result.stdout
    assert "KPB /test" not in result.stdout


def test_doctor_without_a_trusted_ca_stops_at_tls(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet
) -> None:
    args = against(kpb_sim, kpb_sim_certs)
    del args[2:4]  # no --ca-bundle: the simulator's CA is not in the system store
    result = kpb(*args, "doctor")
    assert result.exit_code == ExitCode.NETWORK
    assert "✗ TLS" in result.stdout
    assert "--ca-bundle" in result.stdout


def test_doctor_with_closed_port_stops_at_tcp_with_allow_listing_advice(
    kpb_sim_certs: CertificateSet,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = kpb("--base-url", f"https://127.0.0.1:{port}/api", "doctor")
    assert result.exit_code == ExitCode.NETWORK
    assert "✗ TCP" in result.stdout
    assert "IP address" in result.stdout


def test_doctor_on_production_skips_the_authorised_call_without_cpr(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Production holds real citizens' data: no lookup unless a number is given."""
    import kpb_ext

    monkeypatch.setitem(kpb_ext.ENVIRONMENTS, "production", kpb_sim.base_url)
    args = against(kpb_sim, kpb_sim_certs)
    args[0:2] = ["--env", "production"]

    skipped = kpb(*args, "doctor")
    assert skipped.exit_code == 0, skipped.stdout
    assert "✓ KPB /test" in skipped.stdout
    assert "Authorised call: skipped on production" in " ".join(skipped.stdout.split())

    explicit = kpb(*args, "doctor", "--cpr", "070961-4401")
    assert explicit.exit_code == 0, explicit.stdout
    assert "✓ Authorised call" in explicit.stdout


def test_doctor_knows_production_by_its_address_too(
    kpb_sim: Simulator, kpb_sim_certs: CertificateSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Production named by --base-url, not --env: still no lookup without --cpr."""
    import kpb_ext

    monkeypatch.setitem(kpb_ext.ENVIRONMENTS, "production", kpb_sim.base_url)
    result = kpb(*against(kpb_sim, kpb_sim_certs), "doctor")
    assert result.exit_code == 0, result.stdout
    assert "Authorised call: skipped on production" in " ".join(result.stdout.split())


def test_verbose_logging_masks_every_cpr() -> None:
    """-v logs kpb and httpx at DEBUG in a real process; httpx's request lines are masked."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("KPB_")}
    result = subprocess.run(
        [sys.executable, "-c", "from kpb_cli import main; main()", "-v", "lookup", *TEST_CPRS],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "HTTP Request: GET" in result.stderr  # httpx did log the URLs
    assert "cpr=070261-****" in result.stderr
    assert_no_full_cpr(
        [result.stderr, *(json.dumps(json.loads(x)["cpr"]) for x in result.stdout.splitlines())]
    )


# -- the safety net: whatever goes wrong, one line and a documented exit code -------------

KPB = [sys.executable, "-c", "from kpb_cli import main; main()"]


def test_contract_report_dir_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    for report_dir in ("/proc/kpb-report", str(blocker / "report")):
        result = subprocess.run(
            [*KPB, "contract", "--report-dir", report_dir],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"Error: cannot use '{report_dir}'" in result.stderr
        assert "Next step:" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line_and_exit_7() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPB_")}
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = subprocess.run(
            [*KPB, "applications", "0702614074", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    assert result.returncode == ExitCode.WRITE_FAILED, result.stderr
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr  # the flush at exit fails no more
    assert "Error: No space left on device" in result.stderr
    assert "Next step:" in result.stderr


def test_text_from_kpb_cannot_act_on_the_terminal(
    kpb_sim_factory: SimulatorFactory, kpb_sim_certs: CertificateSet, tmp_path: Path
) -> None:
    # Control characters and rich's markup brackets in KPB's data are shown, not obeyed.
    data = yaml.safe_load(BILAG_A.read_text(encoding="utf-8"))
    application = data["persons"][3]["Applications"][0]  # Elev 4
    application["ApplicationExams"][0]["ExamLocation"] = "Prøvested\x1b[2J [/] \u202eenøR"
    application["ApplicationEvents"][0]["User"] = "[bold]Borgerservice\x07"
    persons = tmp_path / "persons.yaml"
    persons.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    simulator = kpb_sim_factory(data=persons)

    result = kpb(*against(simulator, kpb_sim_certs), "applications", "0709614401")

    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "\x07" not in result.stdout
    assert "Prøvested\\x1b[2J [/] \\u202eenøR" in result.stdout.replace("│", "").replace("\n", "")
    assert "[bold]Borgerservice\\x07" in result.stdout
