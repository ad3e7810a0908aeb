"""Amplitude's per-project limits on top of the shared token buckets: 429s, a cap on requests in flight,
and (strict mode) the user-lookup limit as a sliding hour.

Amplitude documents no ``Retry-After`` header; the lenient emulator sends an integer one anyway (the shared
convention), so a client may honour it but must not depend on it. Strict mode sends none.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from headwater.sandbox.amplitude.errors import ApiError
from headwater.sandbox.common import RateLimiter, retry_after_header

WINDOW = timedelta(hours=1)


def too_many(message: str, wait_seconds: float) -> ApiError:
    return ApiError(429, {"error": message}, headers={"Retry-After": retry_after_header(wait_seconds)})


def spend(limiter: RateLimiter, key: str, bucket: str, *, cost: int = 1, what: str = "this endpoint") -> None:
    """Take ``cost`` tokens or raise a 429 saying which limit was exceeded."""
    for _ in range(cost):
        wait = limiter.check(key, bucket)
        if wait is not None:
            raise too_many(f"Too many requests for {what}; the limit was exceeded", wait)


class SlidingHour:
    """At most ``limit`` calls per key in any hour of the sandbox clock.

    Strict mode's user search/activity limit: 360 queries per hour per project (amplitude.com/docs/apis/
    analytics/dashboard-rest; shared/api/real-behaviour.md, "429s"). Unlike a token bucket nothing trickles
    back: after a burst the wait lasts until the burst's first call is an hour old, up to an hour.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, deque[datetime]] = {}

    def check(self, key: str, now: datetime, limit: int) -> timedelta | None:
        """None when the call may proceed (and counts it), else how long until it could."""
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - WINDOW:
                calls.popleft()
            if len(calls) >= limit:
                return calls[0] + WINDOW - now
            calls.append(now)
            return None


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


class WithoutRetryAfter:
    """Strict mode's outer layer: no Amplitude answer carries ``Retry-After``, injected 429s included.

    Amplitude documents 429s for every limit but no ``Retry-After`` header on any of them
    (amplitude.com/docs/apis/analytics; shared/api/amplitude.md §7; shared/api/real-behaviour.md, "429s").
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def strip(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"retry-after"]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, strip)
