from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from headwater.errors import (
    AuthError,
    BadRequest,
    NotFound,
    PermissionDenied,
    ProviderUnavailable,
    RateLimited,
)
from headwater.http import HttpClient, RateLimit, RateLimiter, RetryPolicy, redact_url, retry_after_seconds
from headwater.sandbox.inprocess import InProcessTransport

API_KEY = "na1.SUPER-SECRET-KEY-0123456789"


def make_app() -> Starlette:
    hits: dict[str, int] = {}

    def count(name: str) -> int:
        hits[name] = hits.get(name, 0) + 1
        return hits[name]

    async def throttled(request: Request) -> Response:
        if count("throttled") <= 2:
            return JSONResponse({"message": "slow down"}, status_code=429, headers={"Retry-After": "7"})
        return JSONResponse({"ok": True})

    async def flaky(request: Request) -> Response:
        if count("flaky") <= 1:
            return JSONResponse({"message": "boom"}, status_code=503)
        return JSONResponse({"ok": True})

    async def broken_post(request: Request) -> Response:
        count("broken_post")
        return JSONResponse({"message": "server error"}, status_code=500)

    async def echo_auth(request: Request) -> Response:
        # a hostile or careless provider echoing the credential back in its error body
        return JSONResponse({"message": f"bad key {request.headers.get('authorization')}"}, status_code=401)

    async def status(request: Request) -> Response:
        code = int(request.path_params["code"])
        return JSONResponse({"message": f"status {code}"}, status_code=code)

    async def counts(request: Request) -> Response:
        return JSONResponse(hits)

    return Starlette(
        routes=[
            Route("/throttled", throttled),
            Route("/flaky", flaky),
            Route("/broken", broken_post, methods=["POST"]),
            Route("/echo-auth", echo_auth),
            Route("/status/{code}", status),
            Route("/counts", counts),
        ]
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> Iterator[HttpClient]:
    with HttpClient(
        base_url="http://provider.test",
        provider="FullStory",
        auth_headers={"Authorization": SecretStr(f"Basic {API_KEY}")},
        transport=InProcessTransport(make_app()),
        sleep=sleeps.append,
        retry=RetryPolicy(attempts=4),
    ) as http:
        yield http


def test_retries_honour_retry_after_without_sleeping_for_real(
    client: HttpClient, sleeps: list[float]
) -> None:
    response = client.request("GET", "/throttled")
    assert response.json() == {"ok": True}
    assert sleeps == [7.0, 7.0]


def test_5xx_is_retried_with_backoff(client: HttpClient, sleeps: list[float]) -> None:
    assert client.request("GET", "/flaky").json() == {"ok": True}
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 30


def test_a_non_idempotent_post_is_not_repeated_on_500(client: HttpClient) -> None:
    with pytest.raises(ProviderUnavailable):
        client.request("POST", "/broken")
    assert client.request("GET", "/counts").json()["broken_post"] == 1


def test_an_idempotent_post_is_retried(client: HttpClient, sleeps: list[float]) -> None:
    with pytest.raises(ProviderUnavailable):
        client.request("POST", "/broken", idempotent=True)
    assert client.request("GET", "/counts").json()["broken_post"] == 4
    assert len(sleeps) == 3


def test_retry_after_longer_than_allowed_is_reported(sleeps: list[float]) -> None:
    with (
        HttpClient(
            base_url="http://provider.test",
            provider="FullStory",
            transport=InProcessTransport(make_app()),
            sleep=sleeps.append,
            retry=RetryPolicy(retry_after_max=5),
        ) as http,
        pytest.raises(RateLimited) as info,
    ):
        http.request("GET", "/throttled")
    assert info.value.retry_after == 7.0
    assert sleeps == []


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (401, AuthError),
        (403, PermissionDenied),
        (404, NotFound),
        (400, BadRequest),
        (502, ProviderUnavailable),
    ],
)
def test_statuses_become_typed_errors(client: HttpClient, code: int, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        client.request("GET", f"/status/{code}")
    assert f"HTTP {code}" in str(info.value)
    assert f"status {code}" in str(info.value)


def test_api_key_never_reaches_logs_or_exceptions(
    client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as info:
        client.request("GET", "/echo-auth", params={"api_key": API_KEY, "page": "2"})
    client.request("GET", "/flaky", params={"secret": API_KEY})
    assert API_KEY not in str(info.value)
    assert API_KEY not in repr(info.value)
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(client)
    assert "[redacted]" in caplog.text and "page=2" in caplog.text


def test_unreachable_host_is_a_clear_error(sleeps: list[float]) -> None:
    with (
        HttpClient(base_url="http://127.0.0.1:9", provider="Amplitude", sleep=sleeps.append) as http,
        pytest.raises(ProviderUnavailable, match="Could not reach Amplitude"),
    ):
        http.request("GET", "/anything")
    assert len(sleeps) == 4  # five attempts, four pauses


def test_rate_limiter_spaces_requests() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(RateLimit(per_second=2, burst=1), clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        with limiter.slot():
            pass
    assert now[0] == pytest.approx(2.0)  # 5 requests at 2/s after the first: 4 * 0.5 s


def test_retry_after_parses_seconds_and_dates() -> None:
    import httpx

    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "3"})) == 3
    assert (
        retry_after_seconds(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
        == 0
    )
    assert retry_after_seconds(httpx.Response(429)) is None


def test_redact_url_masks_secret_params_only() -> None:
    shown = redact_url("https://x.test/p?api_key=abc&start=5&sig=zzz")
    assert "abc" not in shown and "zzz" not in shown and "start=5" in shown
