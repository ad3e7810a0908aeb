"""How a task says what should happen next, and how an exception is turned into a job's next state.

Transient failures (rate limits, an unreachable provider, a dropped database connection) are retried
with exponential backoff; a `HeadwaterError` that no retry can fix makes the job dead at once; anything
unexpected is retried too, because it may be transient, until the attempts run out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from headwater.errors import TRANSIENT_ERRORS, HeadwaterError, RateLimited


class Retry(Exception):
    """Raise to try again later; counts as an attempt. `after` overrides the backoff (seconds)."""

    def __init__(self, reason: str, *, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Defer(Exception):
    """Raise when the job is fine but early (a provider job still running); does not use an attempt."""

    def __init__(self, after: float, reason: str = "") -> None:
        super().__init__(reason or f"deferred for {after:g} s")
        self.after = after


class Interrupted(Exception):
    """Raised by `TaskContext.check_stop()` when the worker is stopping: the job is handed back."""


class LeaseLost(Exception):
    """This worker no longer owns the job (its lease ran out and another worker took it)."""


@dataclass(frozen=True)
class Outcome:
    transient: bool
    message: str
    delay: float | None = None  # seconds; None = the backoff schedule
    counts: bool = True  # whether the attempt is used up


def classify(exc: BaseException) -> Outcome:
    message = describe(exc)
    if isinstance(exc, Defer):
        return Outcome(True, message, exc.after, counts=False)
    if isinstance(exc, Retry):
        return Outcome(True, message, exc.after)
    if isinstance(exc, RateLimited):
        return Outcome(True, message, exc.retry_after)
    if isinstance(exc, TRANSIENT_ERRORS):
        return Outcome(True, message)
    if isinstance(exc, HeadwaterError):
        return Outcome(False, message)
    # a dropped database connection (OperationalError) and anything unexpected: maybe transient
    return Outcome(True, message)


def describe(exc: BaseException) -> str:
    """One line for `last_error`: the type and the message (our errors' messages are already scrubbed)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, DBAPIError):
        text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else text
    return f"{type(exc).__name__}: {text}"[:2000] if text else type(exc).__name__


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential with jitter: about base * 2^(attempt-1), never above `cap`."""
    if base <= 0:
        return 0.0
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay * random.uniform(0.8, 1.2)
