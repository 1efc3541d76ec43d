"""Peak memory of a child process that a test starts to measure it."""

from __future__ import annotations

import resource


def cap_address_space(gib: int) -> None:
    """Past *gib* GiB of address space, allocations fail with MemoryError: a process that
    buffers what a hostile server sends fails instead of taking the machine's memory."""
    resource.setrlimit(resource.RLIMIT_AS, (gib * 1024**3, gib * 1024**3))


def peak_rss_mb() -> float:
    """This process's peak resident set size since exec (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
