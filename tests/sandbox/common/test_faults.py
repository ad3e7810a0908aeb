"""Fault injection as ASGI middleware on a tiny app, independent of any provider."""

from __future__ import annotations

import contextlib

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from headwater.sandbox.common.faults import DroppedConnection, FaultInjector, FaultMiddleware


def _client(injector: FaultInjector) -> TestClient:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello world, this is the full body")

    app = Starlette(
        routes=[Route("/hello", hello), Route("/files/x", hello), Route("/_sandbox/calls", hello)]
    )
    app.add_middleware(FaultMiddleware, injector=injector, download_prefixes=("/files/",))
    return TestClient(app)


def test_no_faults_at_rate_zero() -> None:
    client = _client(FaultInjector(0.0))
    assert all(client.get("/hello").status_code == 200 for _ in range(20))


def test_rate_one_always_faults_but_never_on_sandbox_routes() -> None:
    client = _client(FaultInjector(1.0, seed=4))
    assert client.get("/_sandbox/calls").status_code == 200
    for _ in range(10):
        with contextlib.suppress(DroppedConnection):
            assert client.get("/hello").status_code in (429, 500, 503)


def test_rate_burst_refuses_the_next_requests_too() -> None:
    injector = FaultInjector(0.0, burst_length=2)
    injector.force("rate_burst")
    client = _client(injector)
    assert [client.get("/hello").status_code for _ in range(4)] == [429, 429, 429, 200]


def test_truncate_cuts_the_body() -> None:
    injector = FaultInjector(0.0)
    injector.force("truncate")
    client = _client(injector)
    assert len(client.get("/files/x").content) < len(b"hello world, this is the full body")


def test_drop_raises_inside_the_server() -> None:
    injector = FaultInjector(0.0)
    injector.force("drop")
    with pytest.raises(DroppedConnection):
        _client(injector).get("/hello")


def test_client_errors_answer_their_status_once_and_are_never_random() -> None:
    injector = FaultInjector(0.0)
    for kind in ("unauthorized", "forbidden", "not_found"):
        injector.force(kind)
    client = _client(injector)
    assert [client.get("/hello").status_code for _ in range(4)] == [401, 403, 404, 200]
    randomly = FaultInjector(1.0, seed=5)
    random_kinds = {fault.kind for fault in (randomly.pick(download=True) for _ in range(200)) if fault}
    assert random_kinds == {"server_error", "rate_burst", "drop", "truncate"}


def test_same_seed_same_faults() -> None:
    first, second = FaultInjector(0.3, seed=9), FaultInjector(0.3, seed=9)
    assert [first.pick(download=True) for _ in range(50)] == [second.pick(download=True) for _ in range(50)]


def test_invalid_settings() -> None:
    with pytest.raises(ValueError):
        FaultInjector(1.5)
    with pytest.raises(ValueError):
        FaultInjector(0.1).force("meteor")
    with pytest.raises(ValueError):
        FaultInjector(0.1).force("timeout", hold_seconds=0)
