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
    #: The local client certificate cannot be used: unreadable, wrong password, expired.
    CERTIFICATE = 5
