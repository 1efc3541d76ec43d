"""Exit codes of the ``kpb`` command, one per kind of outcome, so scripts can branch."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: ``kpb contract``: the target does not match the spec.
    CONTRACT_VIOLATION = 1
    #: Wrong usage or invalid input, for example an invalid CPR number (click also uses 2).
    USAGE = 2
    #: KPB answered with an error: a 4xx/5xx status or a body that is not what the spec says.
    KPB_ERROR = 3
    #: The network or TLS failed: DNS, connection refused, timeout, handshake.
    NETWORK = 4
    #: A certificate cannot be used: the client certificate (unreadable, wrong password,
    #: expired) or the CA bundle.
    CERTIFICATE = 5
    #: An unexpected error in kpb itself; ``-v`` shows the details (sysexits' EX_SOFTWARE).
    INTERNAL = 70
    #: The output was closed before kpb had written it all (``kpb lookup ... | head``), as
    #: a shell reports a process ended by SIGPIPE.
    PIPE_CLOSED = 141
