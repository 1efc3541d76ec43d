"""KPB's facts, each in one place: who to write to, where KPB is, and what to do next.

From *KPB Web Service Systemdokumentation* v1.6 (PDF §1.1, §3.1, §3.2) and the spec's
``servers``, ``info.contact`` and ``x-kpb-support``; ``tests/ext/test_facts.py`` keeps
them equal to the spec. Messages and hints everywhere in the project are made from
these names rather than writing an address or a URL out again.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACCESS_EMAIL",
    "ALLOW_LISTING_HINT",
    "BASE_URL_HINT",
    "ENVIRONMENTS",
    "REGISTRATION_HINT",
    "SUPPORT_EMAIL",
]

#: KPB support: registers function certificates and the IP
#: addresses allowed to call the test environment (PDF §3.1).
SUPPORT_EMAIL: Final = "kpb.support@knowledgecube.net"

#: KOMBIT: approves access to the services, with a data processing agreement (PDF §3.1).
ACCESS_EMAIL: Final = "koreprovebooking@kombit.dk"

#: Base URLs of KPB's environments (PDF §1.1), without the trailing slash (D13). The test
#: environment comes first: a caller that takes the first one must not reach production.
ENVIRONMENTS: Final[dict[str, str]] = {
    "test": "https://service-kpbt2.knowledgecube.net/api",
    "production": "https://service-koreprovebooking.dk/api",
}

#: How a function certificate gets registered (PDF §3.1), as the end of a sentence.
REGISTRATION_HINT: Final = (
    "send KOMBIT's approval and the public .cer file of the function certificate (with "
    f"CVR and FID) to {SUPPORT_EMAIL}, stating which services were approved, and wait for "
    "the receipt (PDF §3.1)"
)

#: Why the test environment may not answer at all (PDF §3.1).
ALLOW_LISTING_HINT: Final = (
    "The KPB test environment answers only IP addresses registered with KPB support: send "
    f"this machine's public IP address to {SUPPORT_EMAIL} (PDF §3.1)."
)

#: What a base URL looks like (PDF §1.1).
BASE_URL_HINT: Final = (
    f"Use KPB's https:// base URL ending in /api: {ENVIRONMENTS['test']} (test) or "
    f"{ENVIRONMENTS['production']} (production)."
)
