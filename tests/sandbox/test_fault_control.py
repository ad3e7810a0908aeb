"""Forcing and clearing faults over `/_sandbox/faults` on a real loopback server, as a test of another
feature would: permanent 4xx answers in each provider's own shape, a held request that outlasts the
client's read timeout, and a clear that lets requests through again."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from headwater.sandbox import SandboxOptions, SandboxServer, World

CALL_LOG_DEADLINE_SECONDS = 30


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(
        world=World(users=3, events_per_user=5), options=SandboxOptions(rate_limits=False)
    ) as s:
        yield s


@pytest.fixture
def fullstory(server: SandboxServer) -> Iterator[httpx.Client]:
    admin = {"Authorization": f"Basic {server.credentials.fullstory_admin_key}"}
    with httpx.Client(base_url=server.fullstory_url, headers=admin, timeout=10) as client:
        yield client
        client.delete("/_sandbox/faults").raise_for_status()


@pytest.fixture
def amplitude(server: SandboxServer) -> Iterator[httpx.Client]:
    keys = server.credentials
    auth = (keys.amplitude_api_key, keys.amplitude_secret_key)
    with httpx.Client(base_url=server.amplitude_url, auth=auth, timeout=10) as client:
        yield client
        client.delete("/_sandbox/faults").raise_for_status()


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("unauthorized", 401, {"message": "access is unauthorized", "code": "unauthorized"}),
        ("forbidden", 403, {"message": "insufficient permissions", "code": "forbidden"}),
        ("not_found", 404, {"message": "Requested resource does not exist", "code": "resource_not_found"}),
    ],
)
def test_fullstory_client_errors_carry_fullstory_bodies(
    fullstory: httpx.Client, kind: str, status: int, body: dict[str, str]
) -> None:
    assert fullstory.post("/_sandbox/faults", json={"kind": kind}).status_code == 200
    refused = fullstory.get("/v2/users")
    assert (refused.status_code, refused.json()) == (status, body)
    assert "retry-after" not in refused.headers
    assert fullstory.get("/v2/users").status_code == 200  # one forced fault, one request


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("unauthorized", 401, "Invalid API key or secret key"),
        ("forbidden", 403, "HTTP 403: Forbidden (Invalid API Key)"),
        ("not_found", 404, "Not found"),
    ],
)
def test_amplitude_client_errors_carry_amplitude_bodies(
    amplitude: httpx.Client, kind: str, status: int, error: str
) -> None:
    amplitude.post("/_sandbox/faults", json={"kind": kind}).raise_for_status()
    refused = amplitude.get(
        "/api/2/deletions/users", params={"start_day": "2026-01-01", "end_day": "2026-01-02"}
    )
    assert (refused.status_code, refused.json()) == (status, {"code": status, "error": error})


def test_a_timeout_holds_the_request_past_the_client_read_timeout_then_does_it(
    fullstory: httpx.Client,
) -> None:
    fullstory.delete("/_sandbox/calls")
    fullstory.post("/_sandbox/faults", json={"kind": "timeout", "hold_seconds": 1.5}).raise_for_status()
    with pytest.raises(httpx.ReadTimeout):
        fullstory.get("/v2/users", timeout=httpx.Timeout(10, read=0.2))
    assert fullstory.get("/v2/users").status_code == 200  # the next request is not held

    deadline = time.monotonic() + CALL_LOG_DEADLINE_SECONDS
    while len(fullstory.get("/_sandbox/calls", params={"path": "/v2/users"}).json()["calls"]) < 2:
        assert time.monotonic() < deadline, "the held request never completed"
        time.sleep(0.1)
    statuses = [c["status"] for c in fullstory.get("/_sandbox/calls").json()["calls"]]
    assert statuses == [200, 200]  # the provider did the work the client gave up on


def test_deleting_faults_lets_requests_through_again(fullstory: httpx.Client) -> None:
    fullstory.post("/_sandbox/faults", json={"kind": "server_error", "count": 3}).raise_for_status()
    fullstory.post("/_sandbox/faults", json={"kind": "timeout", "hold_seconds": 2}).raise_for_status()
    listed = fullstory.get("/_sandbox/faults").json()
    assert listed["rate"] == 0 and listed["pending"] == [{"kind": "server_error"}] * 3 + [
        {"kind": "timeout", "hold_seconds": 2}
    ]
    assert fullstory.get("/v2/users").status_code in (500, 503)

    assert fullstory.delete("/_sandbox/faults").json() == {"cleared": 3}
    assert fullstory.get("/_sandbox/faults").json()["pending"] == []
    assert fullstory.get("/v2/users", timeout=httpx.Timeout(10, read=1)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "timeout", "hold_seconds": 0},
        {"kind": "timeout", "hold_seconds": 600},
        {"kind": "drop", "count": 0},
    ],
)
def test_unbounded_faults_are_refused(fullstory: httpx.Client, body: dict[str, object]) -> None:
    assert fullstory.post("/_sandbox/faults", json=body).status_code == 400
    assert fullstory.get("/_sandbox/faults").json()["pending"] == []
