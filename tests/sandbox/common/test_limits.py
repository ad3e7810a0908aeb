"""Token buckets per (key, bucket) and the Retry-After value they produce."""

from __future__ import annotations

from headwater.sandbox.common.limits import BucketSpec, RateLimiter, retry_after_header


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_asks_to_wait() -> None:
    time = FakeTime()
    limiter = RateLimiter({"get": BucketSpec.per_minute(2)}, monotonic=time)
    assert limiter.check("k", "get") is None and limiter.check("k", "get") is None
    wait = limiter.check("k", "get")
    assert wait is not None and 29 < wait <= 30
    time.now += 30
    assert limiter.check("k", "get") is None


def test_buckets_are_per_key_and_unknown_buckets_are_free() -> None:
    limiter = RateLimiter({"b": BucketSpec(rate=1, burst=1)}, monotonic=FakeTime())
    assert limiter.check("a", "b") is None and limiter.check("other", "b") is None
    assert limiter.check("a", "b") is not None
    assert limiter.check("a", "unknown") is None


def test_disabled_limiter_allows_everything() -> None:
    limiter = RateLimiter({"b": BucketSpec(rate=1, burst=1)}, enabled=False)
    assert all(limiter.check("a", "b") is None for _ in range(10))


def test_retry_after_is_a_whole_number_of_at_least_one() -> None:
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(29.2) == "30"
    assert retry_after_header(float("inf")).isdigit()
