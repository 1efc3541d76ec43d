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

In a batch, each attempt first waits for its turn at the batch's :class:`Pacer`, so
that retries count against the batch's rate like any request, and a ``Retry-After``
holds the whole batch (see ``_rate``): the call that got it waits in the pacer's queue
of retries, which go before the lookups not yet started, and such an answer does not
use up one of its attempts (KPB said when to come back; its budget still bounds it).
``total`` then starts when the first attempt goes out, not while it waits for its
turn; a retry whose turn would come after the end of ``total`` is not made, and the
call ends with the error it last got.

The first attempt runs outside tenacity, so a call that succeeds pays nothing for
retries; a retryable failure hands over to tenacity with that failure as its first
outcome.
"""

from __future__ import annotations

import time
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
from ._rate import Pacer
from ._redact import logger

__all__ = ["RETRY_AFTER_STATUSES", "RETRY_STATUSES", "RetryPolicy"]

T = TypeVar("T")
R = TypeVar("R", tenacity.Retrying, tenacity.AsyncRetrying)

#: Statuses that are retried.
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
#: Statuses whose Retry-After is obeyed: KPB (or its gateway) said when to come back.
RETRY_AFTER_STATUSES: Final = frozenset({429, 503})


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

    def retry_after(self, error: BaseException) -> float | None:
        """The seconds a 429 or 503 asked to wait with ``Retry-After``, if it did."""
        if (
            isinstance(error, UnexpectedStatusError)
            and error.status_code in RETRY_AFTER_STATUSES
            and error.retry_after is not None
        ):
            return error.retry_after
        return None

    # -- tenacity ------------------------------------------------------------------------

    def _wait(self, paced: bool) -> Callable[[tenacity.RetryCallState], float]:
        backoff = tenacity.wait_exponential_jitter(
            multiplier=self.initial_wait, max=self.max_wait, jitter=self.jitter
        )

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            asked = self.retry_after(error) if error is not None else None
            if asked is None:
                return backoff(state)
            # In a batch the pacer holds every request until then; the call waits there,
            # in the queue of retries, which go first.
            return 0.0 if paced else asked

        return wait

    def _tenacity(self, kind: type[R], attempts: _Attempts) -> R:
        return kind(
            stop=_Stop(self, attempts),
            wait=self._wait(attempts.paced),
            retry=tenacity.retry_if_exception(self.should_retry),
            before_sleep=_log_retry,
            reraise=True,
        )

    def call(self, operation: Callable[[float], T], pacer: Pacer | None = None) -> T:
        """Run ``operation(budget_end)``, retrying it by this policy.

        *budget_end* is the ``time.monotonic()`` by which the whole call is to end, for
        *operation* to end each attempt by then. With a *pacer*, each attempt waits for
        its turn first.
        """
        if pacer is not None:
            pacer.admit()
        attempts = _Attempts(self, pacer)
        try:
            return attempts.run(operation)
        except KpbError as error:
            if self.attempts == 1 or not self.should_retry(error):
                raise
            attempts.pending = error
        try:
            return self._tenacity(tenacity.Retrying, attempts)(attempts.then(operation))
        except _NoTurn as stop:
            raise stop.error from None

    async def call_async(
        self, operation: Callable[[float], Awaitable[T]], pacer: Pacer | None = None
    ) -> T:
        """Await ``operation(budget_end)``, retrying it by this policy; see :meth:`call`."""
        if pacer is not None:
            await pacer.admit_async()
        attempts = _Attempts(self, pacer)
        try:
            return await attempts.run_async(operation)
        except KpbError as error:
            if self.attempts == 1 or not self.should_retry(error):
                raise
            attempts.pending = error
        retrying = self._tenacity(tenacity.AsyncRetrying, attempts)
        try:
            return await retrying(attempts.then_async(operation))
        except _NoTurn as stop:
            raise stop.error from None


class _Stop(tenacity.stop.stop_base):
    """Stops after the policy's attempts, not counting in a batch the answers that said
    when to come back, or when the next attempt would start after the budget's end."""

    def __init__(self, policy: RetryPolicy, attempts: _Attempts) -> None:
        self._policy, self._attempts = policy, attempts

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        made = state.attempt_number - self._attempts.told_to_wait
        late = time.monotonic() + (state.upcoming_sleep or 0.0) >= self._attempts.budget_end
        return made >= self._policy.attempts or late


class _NoTurn(Exception):
    """The batch's pacer has no turn for another attempt within the call's budget."""

    def __init__(self, error: KpbError) -> None:
        super().__init__()
        self.error = error


class _Attempts:
    """The attempts of one call: the budget from its first request, the first attempt's
    failure given to tenacity as its first outcome, each later attempt's turn at the
    pacer, and every ``Retry-After`` passed on to the pacer."""

    def __init__(self, policy: RetryPolicy, pacer: Pacer | None) -> None:
        self.budget_end = time.monotonic() + policy.total
        self.pending: KpbError | None = None
        self.paced = pacer is not None
        #: Answers that held the batch: in a batch, they do not use up an attempt.
        self.told_to_wait = 0
        self._policy = policy
        self._pacer = pacer
        self._last: KpbError | None = None

    def _failed(self, error: KpbError) -> None:
        self._last = error
        asked = self._policy.retry_after(error)
        if self._pacer is not None and asked is not None:
            self._pacer.hold(min(asked, self._policy.max_retry_after))
            self.told_to_wait += 1

    def _replay(self) -> None:
        error, self.pending = self.pending, None
        if error is not None:
            raise error

    def _no_turn(self) -> _NoTurn:
        assert self._last is not None
        return _NoTurn(self._last)

    def run(self, operation: Callable[[float], T]) -> T:
        try:
            return operation(self.budget_end)
        except KpbError as error:
            self._failed(error)
            raise

    async def run_async(self, operation: Callable[[float], Awaitable[T]]) -> T:
        try:
            return await operation(self.budget_end)
        except KpbError as error:
            self._failed(error)
            raise

    def then(self, operation: Callable[[float], T]) -> Callable[[], T]:
        def attempt() -> T:
            self._replay()
            pacer = self._pacer
            if pacer is not None and not pacer.admit(retry_until=self.budget_end):
                raise self._no_turn()
            return self.run(operation)

        return attempt

    def then_async(self, operation: Callable[[float], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
        async def attempt() -> T:
            self._replay()
            pacer = self._pacer
            if pacer is not None and not await pacer.admit_async(retry_until=self.budget_end):
                raise self._no_turn()
            return await self.run_async(operation)

        return attempt


def _log_retry(state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.info(
        "retrying after %s (attempt %d failed), waiting %.1f s",
        type(error).__name__,
        state.attempt_number,
        state.upcoming_sleep,
    )
