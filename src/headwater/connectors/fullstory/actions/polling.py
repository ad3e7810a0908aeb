"""Wait for a provider-side job with the action context's clock, reporting progress as it goes.

Time is counted in the seconds we asked `ctx.sleep` for, not wall time, so tests that pass a fast sleep
still exercise the timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from headwater.actions.model import ActionContext
from headwater.errors import ProviderUnavailable

T = TypeVar("T")


def wait_until(
    ctx: ActionContext,
    check: Callable[[], T],
    finished: Callable[[T], bool],
    *,
    what: str,
    interval: float,
    timeout: float,
    percent: Callable[[T], int | None] = lambda _state: None,
    resume_hint: str = "",
) -> T:
    waited = 0.0
    while True:
        state = check()
        done = percent(state)
        ctx.progress(what, done if done is not None else 0, 100 if done is not None else None)
        if finished(state):
            return state
        if waited >= timeout:
            raise ProviderUnavailable(
                f"{what} was still running after {timeout:.0f} s.",
                hint=resume_hint or "It continues on the provider's side; check on it again later.",
            )
        ctx.sleep(interval)
        waited += interval
