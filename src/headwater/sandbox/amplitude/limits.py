"""Amplitude's per-project limits on top of the shared token buckets: 429s with Retry-After, and a cap on
requests in flight.

Amplitude documents no ``Retry-After`` header; the emulator sends an integer one anyway (the shared
convention), so a client may honour it but must not depend on it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from headwater.sandbox.amplitude.errors import ApiError
from headwater.sandbox.common import RateLimiter, retry_after_header


def too_many(message: str, wait_seconds: float) -> ApiError:
    return ApiError(429, {"error": message}, headers={"Retry-After": retry_after_header(wait_seconds)})


def spend(limiter: RateLimiter, key: str, bucket: str, *, cost: int = 1, what: str = "this endpoint") -> None:
    """Take ``cost`` tokens or raise a 429 saying which limit was exceeded."""
    for _ in range(cost):
        wait = limiter.check(key, bucket)
        if wait is not None:
            raise too_many(f"Too many requests for {what}; the limit was exceeded", wait)


class ConcurrencyGate:
    """At most ``limit`` requests at once (Amplitude allows 8 parallel deletion calls per project)."""

    def __init__(self, limit: int = 8) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._running = 0

    @contextmanager
    def slot(self, enabled: bool = True) -> Iterator[None]:
        with self._lock:
            if enabled and self._running >= self.limit:
                raise too_many(f"More than {self.limit} concurrent requests", 1)
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
