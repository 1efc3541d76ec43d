"""Run one lookup against a hostile server in a process of its own, and report its peak
memory. Run by ``test_hostile.py``:

    python -m tests.ext.rss_child BASE_URL CA_FILE MODE [CONCURRENCY]

MODE ``one`` calls ``KpbClient.applications`` once; ``batch`` runs
``AsyncKpbClient.lookup_many`` over eight numbers at CONCURRENCY. Prints one JSON
line: the errors seen (type names), the seconds taken, and the peak resident set size
(VmHWM, this process's own high-water mark since exec) in MB. The address space is
capped at 2 GiB, so that a client that buffers the answer fails with MemoryError
instead of taking the machine's memory.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from tests.support.memory import cap_address_space, peak_rss_mb

cap_address_space(2)

from kpb_ext import AsyncKpbClient, KpbClient, KpbError, RetryPolicy  # noqa: E402
from tests.support.bilag_a import TEST_CPRS  # noqa: E402

# the test persons, and a number KPB does not know
NUMBERS = [*TEST_CPRS, "0101701234"]


def one(base_url: str, ca_file: str) -> list[str]:
    with KpbClient(
        base_url=base_url, ca_bundle=ca_file, retry=RetryPolicy.none(), timeout=120
    ) as kpb:
        try:
            kpb.applications(NUMBERS[0])
        except KpbError as error:
            return [type(error).__name__]
    return []


async def batch(base_url: str, ca_file: str, concurrency: int) -> list[str]:
    errors: list[str] = []
    async with AsyncKpbClient(
        base_url=base_url, ca_bundle=ca_file, retry=RetryPolicy.none(), timeout=120
    ) as kpb:
        async for result in kpb.lookup_many(NUMBERS, concurrency=concurrency):
            errors.extend(type(error).__name__ for error in result.errors.values())
    return errors


def main() -> None:
    base_url, ca_file, mode, *rest = sys.argv[1:]
    started = time.monotonic()
    try:
        if mode == "one":
            errors = one(base_url, ca_file)
        else:
            errors = asyncio.run(batch(base_url, ca_file, int(rest[0])))
    except MemoryError:
        errors = ["MemoryError"]
    print(
        json.dumps(
            {
                "errors": errors,
                "seconds": time.monotonic() - started,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
