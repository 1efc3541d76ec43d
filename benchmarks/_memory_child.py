"""A batch lookup as a job would run it: CPR numbers streamed from a file, results
handled one at a time and dropped. Run by ``_memory.py`` in a child process, whose
peak RSS that module reads.

    python _memory_child.py BASE_URL CA_CERT CERT KEY CPR_FILE CONCURRENCY [keep]

Prints one JSON line: how many results, and how many failed. With ``keep``, every
result is kept in a list, as a batch that buffered would: the control that shows the
measurement can see buffering.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator

from kpb_ext import AsyncKpbClient, ClientCertificate, LookupResult


def _numbers(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8") as file:
        for line in file:
            yield line.strip()


async def _run(
    base_url: str, ca: str, cert: str, key: str, path: str, concurrency: int, keep: bool
) -> None:
    results = failed = 0
    kept: list[LookupResult] = []
    certificate = ClientCertificate.from_pem(cert, key)
    async with AsyncKpbClient(base_url=base_url, certificate=certificate, ca_bundle=ca) as kpb:
        async for result in kpb.lookup_many(_numbers(path), concurrency=concurrency):
            results += 1
            failed += not result.ok
            if keep:
                kept.append(result)
    print(json.dumps({"results": results, "failed": failed}))


if __name__ == "__main__":
    base_url, ca, cert, key, path, concurrency, *mode = sys.argv[1:]
    asyncio.run(_run(base_url, ca, cert, key, path, int(concurrency), mode == ["keep"]))
