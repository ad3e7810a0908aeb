"""Token-bucket rate limits per API key, so clients meet real 429s and learn to honour Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class BucketSpec:
    """``rate`` tokens per second refill a bucket holding at most ``burst`` tokens."""

    rate: float
    burst: float

    @classmethod
    def per_minute(cls, count: float, burst: float | None = None) -> BucketSpec:
        return cls(rate=count / 60.0, burst=burst if burst is not None else count)


class RateLimiter:
    """Named token buckets per (api key, bucket name), on real monotonic time.

    ``check`` answers None when the call may proceed (and spends a token) or the seconds to wait.
    A disabled limiter allows everything; an unknown bucket name is unlimited.
    """

    def __init__(
        self,
        buckets: Mapping[str, BucketSpec],
        *,
        enabled: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self._specs = dict(buckets)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._levels: dict[tuple[str, str], tuple[float, float]] = {}

    def configure(self, bucket: str, spec: BucketSpec) -> None:
        with self._lock:
            self._specs[bucket] = spec
            self._levels = {k: v for k, v in self._levels.items() if k[1] != bucket}

    def check(self, key: str, bucket: str) -> float | None:
        if not self.enabled:
            return None
        with self._lock:
            spec = self._specs.get(bucket)
            if spec is None:
                return None
            now = self._monotonic()
            tokens, stamp = self._levels.get((key, bucket), (spec.burst, now))
            tokens = min(spec.burst, tokens + (now - stamp) * spec.rate)
            if tokens >= 1.0:
                self._levels[(key, bucket)] = (tokens - 1.0, now)
                return None
            self._levels[(key, bucket)] = (tokens, now)
            return (1.0 - tokens) / spec.rate if spec.rate > 0 else math.inf

    def reset(self) -> None:
        with self._lock:
            self._levels.clear()


def retry_after_header(wait_seconds: float) -> str:
    """Whole seconds, rounded up and never below 1, as providers send it."""
    if math.isinf(wait_seconds):
        return "3600"
    return str(max(1, math.ceil(wait_seconds)))
