"""What the suite runs against, and how hard it may push."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kpb_ext import is_loopback, parse_rate, validate_base_url

from ._identity import Identity
from ._transport import REQUEST_TIMEOUT

__all__ = [
    "DEFAULT_REPORT_DIR",
    "LOOPBACK_MAX_EXAMPLES",
    "REMOTE_MAX_EXAMPLES",
    "REMOTE_MAX_REQUESTS",
    "REMOTE_RATE",
    "ErrorProbe",
    "Limits",
    "Target",
    "check_urls",
]

DEFAULT_REPORT_DIR = Path("kpb-contract-report")

# A real, shared service: a few requests a second, a few hundred in all (about a minute).
REMOTE_RATE = "3/s"
REMOTE_MAX_EXAMPLES = 20
REMOTE_MAX_REQUESTS = 600
# Loopback: only the run time counts (about five seconds against the simulator).
LOOPBACK_MAX_EXAMPLES = 300


def check_urls(base_url: str, http_base_url: str | None = None) -> None:
    """ValueError unless *base_url* is https:// and *http_base_url* (if given) http://."""
    validate_base_url(base_url)
    if http_base_url is not None:
        validate_base_url(http_base_url, scheme="http")


@dataclass(frozen=True)
class ErrorProbe:
    """A certificate that should provoke one of KPB's documented 401 messages."""

    identity: Identity
    message: str
    #: Route paths that should answer with it, for example ``("/MedicalCertificate",)``.
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """A KPB environment: its base URL (with ``/api``) and how to reach it."""

    base_url: str
    #: The given function certificate.
    identity: Identity
    #: No certificate, with the same trust in the server.
    anonymous: Identity
    http_base_url: str | None = None
    #: Other certificates, each meant to provoke one documented 401 message.
    error_probes: tuple[ErrorProbe, ...] = ()
    #: For reports, for example "embedded simulator".
    description: str = ""

    def __post_init__(self) -> None:
        check_urls(self.base_url, self.http_base_url)
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if self.http_base_url is not None:
            object.__setattr__(self, "http_base_url", self.http_base_url.rstrip("/"))

    @property
    def plain_http_base_url(self) -> str:
        """Where plain HTTP is tried: as given, or the base URL with ``http://``."""
        if self.http_base_url is not None:
            return self.http_base_url
        parts = urlsplit(self.base_url)
        return urlunsplit(("http", *parts[1:]))

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.base_url)


@dataclass(frozen=True)
class Limits:
    """How much load a run may put on the target."""

    #: Fuzzing-phase examples per operation (the examples and coverage phases are fixed).
    max_examples: int
    #: At most this many requests per run; ``None`` for no bound.
    max_requests: int | None
    #: ``(count, "second" | "minute" | "hour")``; ``None`` for no limit.
    rate: tuple[int, str] | None
    seed: int
    data_checks: bool = True
    report_dir: Path = DEFAULT_REPORT_DIR
    #: Whether a failing generated request is simplified by sending variations of it.
    shrink: bool = True
    #: Seconds each request may take in all: connecting, TLS, the headers, the body.
    request_timeout: float = REQUEST_TIMEOUT

    @classmethod
    def defaults_for(cls, target: Target, *, seed: int) -> Limits:
        """A real, shared service gets a few requests a second and a few hundred in all,
        and failures are not shrunk (more requests); loopback only has to be quick."""
        if target.is_loopback:
            return cls(max_examples=LOOPBACK_MAX_EXAMPLES, max_requests=None, rate=None, seed=seed)
        return cls(
            max_examples=REMOTE_MAX_EXAMPLES,
            max_requests=REMOTE_MAX_REQUESTS,
            rate=parse_rate(REMOTE_RATE),
            seed=seed,
            shrink=False,
        )
