"""Retries of what is safe to retry, with tenacity.

Retried: connection failures, timeouts, and the statuses 429, 502, 503 and 504. Never
retried: any other status (a 4xx will fail the same way again, and a 500 is KPB's own
fault, not a passing one), TLS failures, invalid responses, bad input. Every KPB
operation is a GET, so repeating one is harmless.

Waits grow exponentially with random jitter, up to ``max_wait``; a ``Retry-After``
header on 429 or 503 is obeyed instead, unless it asks for more than
``max_retry_after``, in which case the error is raised at once rather than retried
early. Attempts stop at ``attempts``, or when the next one would start more than
``total`` seconds after the first; the clients also end each attempt by the end of
``total``, so that a whole call, retries and waits included, takes at most ``total``.

The first attempt runs outside tenacity, so a call that succeeds pays nothing for
retries; a retryable failure hands over to tenacity with that failure as its first
outcome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import attrs
import tenacity

from ._exceptions import (
    ConnectionFailedError,
    KpbError,
    KpbTimeoutError,
    UnexpectedStatusError,
)
from ._redact import logger

__all__ = ["RETRY_STATUSES", "RetryPolicy"]

T = TypeVar("T")
R = TypeVar("R", tenacity.Retrying, tenacity.AsyncRetrying)

#: Statuses that are retried.
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
_RETRY_AFTER_STATUSES: Final = frozenset({429, 503})


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative")


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry. The defaults suit a nightly batch job.

    ``attempts``: tries in all, the first included (1 means no retry);
    ``initial_wait``/``max_wait``: seconds before the first retry, and the cap of the
    exponential growth; ``jitter``: up to this many random seconds added to each wait;
    ``total``: the budget of a whole call, retries and waits included, in seconds;
    ``max_retry_after``: the longest ``Retry-After`` obeyed.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    initial_wait: float = attrs.field(default=0.5, validator=_positive)
    max_wait: float = attrs.field(default=10.0, validator=_positive)
    jitter: float = attrs.field(default=0.5, validator=_positive)
    total: float = attrs.field(default=60.0, validator=_positive)
    max_retry_after: float = attrs.field(default=30.0, validator=_positive)

    @classmethod
    def none(cls) -> RetryPolicy:
        """Never retry."""
        return cls(attempts=1)

    def should_retry(self, error: BaseException) -> bool:
        """Whether *error* is of a kind that is retried (ignoring attempts and time)."""
        if isinstance(error, KpbTimeoutError | ConnectionFailedError):
            return True
        if isinstance(error, UnexpectedStatusError) and error.status_code in RETRY_STATUSES:
            return error.retry_after is None or error.retry_after <= self.max_retry_after
        return False

    # -- tenacity ------------------------------------------------------------------------

    def _wait(self) -> Callable[[tenacity.RetryCallState], float]:
        backoff = tenacity.wait_exponential_jitter(
            multiplier=self.initial_wait, max=self.max_wait, jitter=self.jitter
        )

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if (
                isinstance(error, UnexpectedStatusError)
                and error.status_code in _RETRY_AFTER_STATUSES
                and error.retry_after is not None
            ):
                return error.retry_after
            return backoff(state)

        return wait

    def _tenacity(self, kind: type[R]) -> R:
        stop = tenacity.stop_after_attempt(self.attempts) | tenacity.stop_before_delay(self.total)
        return kind(
            stop=stop,
            wait=self._wait(),
            retry=tenacity.retry_if_exception(self.should_retry),
            before_sleep=_log_retry,
            reraise=True,
        )

    def call(self, operation: Callable[[], T]) -> T:
        """Run *operation*, retrying it by this policy."""
        try:
            return operation()
        except KpbError as error:
            if self.attempts == 1 or not self.should_retry(error):
                raise
            replay = _Replay(error)
        retrying = self._tenacity(tenacity.Retrying)
        return retrying(replay.then(operation))

    async def call_async(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Await *operation*, retrying it by this policy."""
        try:
            return await operation()
        except KpbError as error:
            if self.attempts == 1 or not self.should_retry(error):
                raise
            replay = _Replay(error)
        retrying = self._tenacity(tenacity.AsyncRetrying)
        return await retrying(replay.then_async(operation))


class _Replay:
    """Gives tenacity the first attempt's failure as its first outcome."""

    def __init__(self, error: KpbError) -> None:
        self._error: KpbError | None = error

    def _pending(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    def then(self, operation: Callable[[], T]) -> Callable[[], T]:
        def attempt() -> T:
            self._pending()
            return operation()

        return attempt

    def then_async(self, operation: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
        async def attempt() -> T:
            self._pending()
            return await operation()

        return attempt


def _log_retry(state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.info(
        "retrying after %s (attempt %d failed), waiting %.1f s",
        type(error).__name__,
        state.attempt_number,
        state.upcoming_sleep,
    )
