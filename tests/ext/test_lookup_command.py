"""``kpb lookup`` as a nightly batch runs it: a real process against HTTPS servers on loopback.

Each test starts the installed command in a child process (umask 022, default signal
dispositions), against a server that answers as the test decides, and checks what an
operator relies on: the output file after a signal, a resume, a dead server, bad input
files, a full disk, memory, and the progress bar.
"""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from kpb_cli import ExitCode

from . import examples
from .pki import Issued
from .servers import Reply, Request, TestServer, closed_port, kpb

pytestmark = pytest.mark.network
Serve = Callable[..., TestServer]
KPB = [sys.executable, "-c", "from kpb_cli import main; main()"]


@pytest.fixture
def client_files(client_cert: Issued, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    cert, key = client_cert.write_pem(tmp_path_factory.mktemp("client"), "client")
    return ["--cert", str(cert), "--key", str(key)]


@pytest.fixture
def target(ca_file: Path, client_files: list[str]) -> Callable[[str], list[str]]:
    """The global options that point ``kpb`` at *base_url* with the test certificates."""

    def args(base_url: str) -> list[str]:
        return ["--base-url", base_url, "--ca-bundle", str(ca_file), *client_files]

    return args


def batch(
    numbers: Path | str, output: Path, *options: str, what: str = "applications"
) -> list[str]:
    """``lookup`` of the numbers in a file, into *output*."""
    return [
        "lookup",
        "--from-file",
        str(numbers),
        "--what",
        what,
        "--output",
        str(output),
        *options,
    ]


def _child_setup() -> None:
    os.umask(0o022)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def start(args: Sequence[str], **popen: Any) -> subprocess.Popen[Any]:
    popen["env"] = {
        k: v for k, v in popen.get("env", os.environ).items() if not k.startswith("KPB_")
    }
    popen.setdefault("stdin", subprocess.DEVNULL)
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    popen.setdefault("text", True)
    return subprocess.Popen([*KPB, *args], preexec_fn=_child_setup, **popen)


def run(args: Sequence[str], timeout: float = 120, stdin: str | None = None) -> tuple[int, str]:
    """Run ``kpb`` to its end; its exit code and stderr."""
    process = start(args, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    try:
        _, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, stderr


def write_input(path: Path, count: int) -> dict[str, int]:
    """An input file as operators write them: a comment, blank lines, a repeat.

    Returns the line number of each distinct number.
    """
    line_of: dict[str, int] = {}
    lines = ["# nightly batch", ""]
    for number in examples.cpr_numbers(count):
        lines.append(number)
        line_of[number] = len(lines)
        if len(lines) % 25 == 0:
            lines += ["", f"{number[:6]}-{number[6:]}  # a repeat, looked up once"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return line_of


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def no_applications(delay: float = 0.0) -> Callable[[Request], Reply]:
    return lambda request: Reply.json({"Applications": []}, delay=delay)


def interrupt_after(
    process: subprocess.Popen[Any], server: TestServer, answers: int, signum: int
) -> str:
    """Send *signum* once the server has answered *answers* requests; stderr at exit."""
    wait_for(lambda: len(server.answered) >= answers)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    return stderr


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# -- signals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: signal.Signals(s).name
)
def test_a_signal_keeps_every_answered_number_and_exits_6(
    signum: int, serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(no_applications(delay=0.2))
    line_of = write_input(tmp_path / "cprs.txt", 400)
    output = tmp_path / "out.jsonl"
    process = start(
        [
            *target(server.base_url),
            *batch(tmp_path / "cprs.txt", output),
        ]
    )
    stderr = interrupt_after(process, server, 40, signum)

    answered = {line_of[request.query["cpr"][0]] for request in server.answered}
    written = [line["index"] for line in read_lines(output)]
    assert sorted(written) == sorted(answered)  # every answer, each once, nothing else
    assert len(written) < len(line_of)
    assert process.returncode == ExitCode.INTERRUPTED, stderr
    assert signal.Signals(signum).name in stderr
    assert f"{len(written)} numbers looked up" in stderr
    assert "--resume" in stderr
    assert "Traceback" not in stderr


# -- resume --------------------------------------------------------------------------------


def test_resume_looks_up_only_the_numbers_missing_from_the_output(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(no_applications(delay=0.05))
    line_of = write_input(tmp_path / "cprs.txt", 150)
    output = tmp_path / "out.jsonl"
    command = [
        *target(server.base_url),
        *batch(tmp_path / "cprs.txt", output),
    ]
    interrupt_after(start(command), server, 30, signal.SIGTERM)
    first = len(read_lines(output))
    with output.open("ab") as file:  # a crash in the middle of a line
        file.write(b'{"index":9')
    asked_before = server.count()

    code, stderr = run([*command, "--resume"])

    assert code == ExitCode.OK, stderr
    written = [line["index"] for line in read_lines(output)]  # every line is whole JSON
    assert sorted(written) == sorted(line_of.values())  # each number exactly once
    assert server.count() - asked_before == len(line_of) - first
    assert f"{first} numbers already in" in stderr
    assert "incomplete last line" in stderr


def test_resume_refuses_an_output_made_from_other_numbers(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(no_applications())
    output = tmp_path / "out.jsonl"
    output.write_text('{"index":1,"cpr":"010203-****","Applications":[]}\n', encoding="utf-8")
    (tmp_path / "cprs.txt").write_text("0702614074\n", encoding="utf-8")
    code, stderr = run(
        [
            *target(server.base_url),
            *batch(tmp_path / "cprs.txt", output, what="both"),
            "--resume",
        ]
    )
    assert code == ExitCode.USAGE
    assert "line 1" in one_line(stderr)
    assert server.count() == 0


def test_resume_exits_with_the_failures_already_in_the_output(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    # The first run's answer for line 1 was a permanent KPB error; the resumed run looks up
    # only line 2, which succeeds: the batch as a whole still did not succeed.
    server = serve(no_applications())
    output = tmp_path / "out.jsonl"
    error = {
        "type": "KpbResponseError",
        "message": "KPB answered 400",
        "hint": "",
        "transient": False,
        "status_code": 400,
    }
    line = {"index": 1, "cpr": "070261-****", "errors": {"applications": error}}
    output.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (tmp_path / "cprs.txt").write_text("0702614074\n0107529039\n", encoding="utf-8")

    code, stderr = run(
        [*target(server.base_url), *batch(tmp_path / "cprs.txt", output), "--resume"]
    )

    assert code == ExitCode.KPB_ERROR, stderr
    assert server.count() == 1
    assert "1 numbers already in" in stderr
    assert "(1 of them with errors)" in stderr


def test_resume_needs_an_output_file(target: Callable[[str], list[str]]) -> None:
    code, stderr = run(
        [*target(f"https://127.0.0.1:{closed_port()}/api"), "lookup", "0702614074", "--resume"]
    )
    assert code == ExitCode.USAGE
    assert "--output" in stderr


# -- the rate ----------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["fast", "0/s", "20", "20/d", "1.5/s"])
def test_a_bad_rate_is_a_usage_error(target: Callable[[str], list[str]], rate: str) -> None:
    code, stderr = run(
        [*target(f"https://127.0.0.1:{closed_port()}/api"), "lookup", "--rate", rate, "0702614074"]
    )
    assert code == ExitCode.USAGE
    assert f"Invalid value for '--rate': {rate!r} is not a rate" in stderr
    assert "N/s, N/m or N/h" in stderr
    assert "Traceback" not in stderr


def test_the_rate_spaces_every_request_as_the_server_sees_them(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(kpb)
    numbers = tmp_path / "cprs.txt"
    numbers.write_text("\n".join(examples.cpr_numbers(15)) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    code, stderr = run(
        [*target(server.base_url), *batch(numbers, output, "--rate", "10/s", what="both")]
    )
    assert code == ExitCode.OK, stderr
    assert len(read_lines(output)) == 15
    # 15 numbers in both services are 30 requests, at least 1/10 s apart when sent: 2.9 s
    # or more from the first to the last, less what the network may take off either end.
    arrived = [request.at for request in server.requests]
    assert len(arrived) == 30
    assert max(arrived) - min(arrived) >= 2.8


# -- a dead server -----------------------------------------------------------------------


def test_a_dead_server_stops_the_batch_in_bounded_time(
    target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    write_input(tmp_path / "cprs.txt", 2000)
    output = tmp_path / "out.jsonl"
    dead = f"https://127.0.0.1:{closed_port()}/api"

    started = time.monotonic()
    code, stderr = run(
        [
            *target(dead),
            *batch(tmp_path / "cprs.txt", output, what="both"),
        ],
        timeout=90,
    )
    elapsed = time.monotonic() - started

    assert code == ExitCode.NETWORK, stderr
    assert elapsed < 45, f"{elapsed:.0f} s"
    stopped = re.search(r"KpbUnavailableError: (\d+) numbers in a row got no answer", stderr)
    assert stopped, stderr
    assert int(stopped[1]) >= 10
    assert "not looked up" in stderr
    failed = read_lines(output)
    assert 10 <= len(failed) < 30
    assert all(line["errors"]["applications"]["transient"] for line in failed)


def test_resume_asks_again_for_the_numbers_kpb_did_not_answer(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    line_of = write_input(tmp_path / "cprs.txt", 60)
    output = tmp_path / "out.jsonl"
    lookup = batch(tmp_path / "cprs.txt", output, "--stop-after-unanswered", "3", what="both")
    # A gateway in front of KPB during maintenance: 503, not worth retrying so soon.
    gateway = serve(lambda request: Reply(503, b"Service Unavailable", {"Retry-After": "3600"}))
    code, stderr = run([*target(gateway.base_url), *lookup])
    assert code == ExitCode.NETWORK, stderr
    assert re.search(r"[3-9] numbers in a row got no answer from KPB", stderr), stderr
    unanswered = len(read_lines(output))

    server = serve(kpb)
    code, stderr = run([*target(server.base_url), *lookup, "--resume"])
    assert code == ExitCode.OK, stderr
    assert "0 numbers already in" in stderr
    lines = read_lines(output)
    assert len(lines) == unanswered + len(line_of)  # the old lines stay; the last one counts
    last = {line["index"]: line for line in lines}
    assert sorted(last) == sorted(line_of.values())
    assert all("errors" not in line for line in last.values())


# -- input files ---------------------------------------------------------------------------


def _bom(text: str) -> bytes:
    return "\ufeff".encode() + text.encode()


def test_a_byte_order_mark_is_not_part_of_the_first_number(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(kpb)
    (tmp_path / "cprs.txt").write_bytes(_bom("0702614074\r\n0107529039\r\n"))
    output = tmp_path / "out.jsonl"
    code, stderr = run(
        [
            *target(server.base_url),
            *batch(tmp_path / "cprs.txt", output, what="both"),
        ]
    )
    assert code == ExitCode.OK, stderr
    lines = sorted(read_lines(output), key=lambda line: line["index"])
    assert [(line["index"], line["cpr"]) for line in lines] == [
        (1, "070261-****"),
        (2, "010752-****"),
    ]


# A file appended to by another program: line 372 is in latin-1.
MIXED = (
    "".join(f"{n}\n" for n in examples.cpr_numbers(371)).encode()
    + "# Søren\n".encode("latin-1")
    + b"0702614074\n"
)
NOT_UTF8 = {
    "latin-1": ("0702614074\n# Søren Ærø\n0107529039\n".encode("latin-1"), 2),
    "utf-16": ("0702614074\n0107529039\n".encode("utf-16"), 1),
    "utf-16 without BOM": ("0702614074\n0107529039\n".encode("utf-16-le"), 1),
    "binary": (b"PK\x03\x04\x14\x00\x08\x00" + bytes(range(256)), 1),
    "mixed": (MIXED, 372),
}


@pytest.mark.parametrize("name", NOT_UTF8)
def test_a_file_that_is_not_utf8_gets_one_line_naming_the_line_and_no_lookup(
    name: str, serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    content, line = NOT_UTF8[name]
    server = serve(no_applications())
    (tmp_path / "cprs.txt").write_bytes(content)
    output = tmp_path / "out.jsonl"
    code, stderr = run(
        [
            *target(server.base_url),
            *batch(tmp_path / "cprs.txt", output, what="both"),
        ]
    )
    assert code == ExitCode.USAGE, stderr
    message = one_line(stderr)
    assert f"line {line} " in message
    assert "UTF-8" in message
    assert server.count() == 0  # the whole file is checked before the first lookup


def test_bad_bytes_on_stdin_keep_what_was_looked_up(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    """A pipe cannot be read twice: the lines before the bad one are looked up and kept."""
    server = serve(no_applications())
    output = tmp_path / "out.jsonl"
    process = start(
        [
            *target(server.base_url),
            *batch("-", output),
        ],
        stdin=subprocess.PIPE,
        text=False,
    )
    assert process.stdin is not None
    _, stderr_bytes = process.communicate(MIXED, timeout=120)
    stderr = stderr_bytes.decode()
    assert process.returncode == ExitCode.USAGE, stderr
    assert "line 372 " in stderr
    assert "371 numbers looked up" in stderr
    assert sorted(line["index"] for line in read_lines(output)) == list(range(1, 372))
    assert "Traceback" not in stderr


# -- output files --------------------------------------------------------------------------


def test_the_input_file_is_never_the_output(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(kpb)
    numbers = tmp_path / "cprs.txt"
    numbers.write_text("0702614074\n", encoding="utf-8")
    code, stderr = run([*target(server.base_url), *batch(numbers, numbers)])
    assert code == ExitCode.USAGE
    assert "is the input file" in one_line(stderr)
    assert numbers.read_text(encoding="utf-8") == "0702614074\n"
    assert server.count() == 0


def test_output_files_are_private_under_umask_022(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(kpb)
    fresh, existing = tmp_path / "fresh.jsonl", tmp_path / "existing.jsonl"
    existing.write_text("", encoding="utf-8")
    existing.chmod(0o644)
    for output in (fresh, existing):
        code, stderr = run(
            [*target(server.base_url), "lookup", "0702614074", "--output", str(output)]
        )
        assert code == ExitCode.OK, stderr
        assert output.stat().st_mode & 0o777 == 0o600, oct(output.stat().st_mode)
        assert len(read_lines(output)) == 1


def test_a_full_disk_gets_one_line_and_exit_7(
    serve: Serve, target: Callable[[str], list[str]]
) -> None:
    server = serve(kpb)
    code, stderr = run(
        [*target(server.base_url), "lookup", "0702614074", "0107529039", "--output", "/dev/full"]
    )
    assert code == ExitCode.WRITE_FAILED, stderr
    message = stderr.strip().splitlines()[-1]
    assert "No space left on device" in message
    assert "Traceback" not in stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root and a kernel that lets this process mount)."""
    mount = tmp_path / "small"
    mount.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot mount a tmpfs here: {error}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_disk_that_fills_up_then_resume(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path, small_disk: Path
) -> None:
    server = serve(lambda request: Reply.json(examples.applications()))
    line_of = write_input(tmp_path / "cprs.txt", 300)
    output = small_disk / "out.jsonl"
    lookup = [*target(server.base_url), *batch(tmp_path / "cprs.txt", output)]
    code, stderr = run(lookup)
    assert code == ExitCode.WRITE_FAILED, stderr
    assert "No space left on device" in stderr
    assert "Traceback" not in stderr

    subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
    code, stderr = run([*lookup, "--resume"])
    assert code == ExitCode.OK, stderr
    assert sorted(line["index"] for line in read_lines(output)) == sorted(line_of.values())


# -- memory --------------------------------------------------------------------------------


def _peak_rss_mb(process: subprocess.Popen[Any]) -> float:
    """The child's VmHWM, read until it ends (``ru_maxrss`` would count the parent's)."""
    status = Path(f"/proc/{process.pid}/status")
    peak = 0
    while process.poll() is None:
        try:
            text = status.read_text(encoding="ascii")
        except OSError:
            break
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
        time.sleep(0.01)
    process.wait()
    return peak / 1024


@pytest.mark.slow
def test_memory_stays_flat_when_every_lookup_fails(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(lambda request: Reply.message(500, "An error has occurred."))
    numbers = tmp_path / "cprs.txt"
    numbers.write_text("".join(f"{n}\n" for n in examples.cpr_numbers(20_000)), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    process = start(
        [
            *target(server.base_url),
            *batch(numbers, output),
        ],
        stderr=subprocess.DEVNULL,
    )
    peak = _peak_rss_mb(process)
    assert process.returncode == ExitCode.KPB_ERROR
    assert server.count() == 20_000
    assert sum(1 for _ in output.open(encoding="utf-8")) == 20_000
    assert peak < 100, f"peak RSS {peak:.0f} MB"


# -- progress ------------------------------------------------------------------------------


def test_the_progress_bar_knows_the_total_of_a_file_and_shows_an_eta(
    serve: Serve, target: Callable[[str], list[str]], tmp_path: Path
) -> None:
    server = serve(no_applications(delay=0.05))
    write_input(tmp_path / "cprs.txt", 60)
    leader, follower = pty.openpty()
    process = start(
        [
            *target(server.base_url),
            "lookup",
            "--from-file",
            str(tmp_path / "cprs.txt"),
            "--concurrency",
            "2",
            "--what",
            "applications",
            "--output",
            str(tmp_path / "out.jsonl"),
        ],
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"},
    )
    os.close(follower)
    screen = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    process.wait(timeout=60)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode(errors="replace"))  # colours
    assert process.returncode == ExitCode.OK, text
    assert re.search(r"\b\d{1,2}/60\b", text), text
    assert "/?" not in text
    assert re.search(r"ETA \d:\d\d:\d\d", text), text
