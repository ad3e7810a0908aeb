"""Waiting in a test for what another thread, process or server does: one loop, always with a deadline.

A test that waits must say for what, and give up with that in the message rather than hang until the
pytest timeout. Polling is the only use of the clock here: nothing asserts how long something took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float,
    what: str,
    interval: float = 0.05,
    details: Callable[[], str] | None = None,
) -> T:
    """Call `predicate` until it returns something truthy, and return that; AssertionError at `timeout`.

    `what` completes "timed out after N s waiting for ..."; `details` adds context to that message
    (a worker's log, the items still busy), computed only on failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details is not None else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{extra}")
        time.sleep(interval)
