"""A short contract run against a hostile server, in a process of its own, and its peak
memory. Run by ``test_contract_hostile.py``:

    python -m tests.contract.rss_child BASE_URL HTTP_BASE_URL CA_FILE REPORT_DIR

The run is ``kpb contract --max-requests 40`` as a library call: the suite's own checks
and schemathesis, with the recording. Prints one JSON line: the outcome, the requests
made, the checks that found violations, the seconds taken and the peak resident set size
(VmHWM) in MB. The address space is capped at 4 GiB, so that a suite that buffers what
the server sends fails with MemoryError instead of taking the machine's memory.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tests.support.memory import cap_address_space, peak_rss_mb

cap_address_space(4)

from contract_tests import Limits, Target, anonymous, run_contract  # noqa: E402

MAX_REQUESTS = 40


def main() -> None:
    base_url, http_base_url, ca_file, report_dir = sys.argv[1:]
    identity = anonymous(Path(ca_file))
    target = Target(base_url, identity, identity, http_base_url=http_base_url)
    limits = Limits(
        max_examples=5,
        max_requests=MAX_REQUESTS,
        rate=None,
        seed=1,
        report_dir=Path(report_dir),
    )
    started = time.monotonic()
    result = run_contract(target, limits)
    print(
        json.dumps(
            {
                "outcome": result.outcome.name,
                "requests": result.requests,
                "checks": sorted({v.check for v in result.findings.violations.values()}),
                "seconds": time.monotonic() - started,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
