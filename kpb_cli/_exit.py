"""Exit codes of the ``kpb`` command, one per kind of outcome, so scripts can branch.

The meanings below are the table that ``kpb --help`` prints (and README repeats).
"""

from __future__ import annotations

import signal
from enum import IntEnum

#: What stops a command cleanly (ExitCode.INTERRUPTED). SIGHUP: the terminal closed; not
#: on Windows.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class ExitCode(IntEnum):
    OK = 0
    CONTRACT_VIOLATION = 1
    USAGE = 2  # click uses 2 for usage errors too
    KPB_ERROR = 3
    NETWORK = 4
    CERTIFICATE = 5
    INTERRUPTED = 6
    WRITE_FAILED = 7
    INTERNAL = 70  # sysexits' EX_SOFTWARE
    PIPE_CLOSED = 141  # as a shell reports a process ended by SIGPIPE

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "success",
    ExitCode.CONTRACT_VIOLATION: "kpb contract: the target does not match the spec",
    ExitCode.USAGE: "usage error or invalid input: an invalid CPR number or base URL, an "
    "option out of range, a file or directory that cannot be used",
    ExitCode.KPB_ERROR: (
        "KPB answered with an error (a 4xx/5xx, or a body that is not what the spec says)"
    ),
    ExitCode.NETWORK: "network or TLS failure, or a batch stopped because KPB did not answer",
    ExitCode.CERTIFICATE: "a certificate cannot be used: the client certificate (unreadable, "
    "wrong password, expired) or the CA bundle",
    ExitCode.INTERRUPTED: "stopped by SIGINT, SIGTERM or SIGHUP; kpb lookup wrote what was "
    "done (continue with --resume), kpb contract its reports of what was checked",
    ExitCode.WRITE_FAILED: "an output file could not be written (disk full, no permission)",
    ExitCode.INTERNAL: "an unexpected error in kpb itself; -v shows the details",
    ExitCode.PIPE_CLOSED: "the output was closed before kpb had written it all (piped "
    "into head, for example)",
}


def exit_code_table() -> str:
    """The exit codes as lines of ``code meaning``, for ``kpb --help``."""
    return "\n".join(f"{code.value} {code.meaning}" for code in ExitCode)
