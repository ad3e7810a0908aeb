"""Rate limits (429 with an integer Retry-After), injected faults, and the call log."""

from __future__ import annotations

import pytest

from headwater.sandbox.amplitude.state import DSAR
from headwater.sandbox.common import BucketSpec, DroppedConnection
from tests.sandbox.amplitude_support import ORG, PROJECT, make_amp


def test_a_second_deletion_call_within_a_second_is_a_429() -> None:
    amp = make_amp(users=2, events_per_user=1, rate_limits=True)
    first = amp.delete(amplitude_ids=[amp.world.person(0).amplitude_id])
    assert first.status_code == 200
    second = amp.delete(amplitude_ids=[amp.world.person(1).amplitude_id])
    assert second.status_code == 429
    assert second.headers["Retry-After"].isdigit() and int(second.headers["Retry-After"]) >= 1
    assert "error" in second.json()
    # the GET on the same endpoint shares the per-project budget
    listing = amp.client.get(
        "/api/2/deletions/users", params={"start_day": "2025-03-01", "end_day": "2025-04-30"}, headers=PROJECT
    )
    assert listing.status_code == 429


def test_at_most_a_set_number_of_deletion_calls_run_at_once() -> None:
    amp = make_amp(users=1, events_per_user=1, rate_limits=True)
    amp.state.deletion_gate.limit = 0  # as if 8 calls were already in flight
    response = amp.delete(amplitude_ids=[amp.world.person(0).amplitude_id])
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"


def test_without_limits_back_to_back_deletions_pass() -> None:
    amp = make_amp(users=3, events_per_user=1, rate_limits=False)
    for index in range(3):
        assert amp.delete(amplitude_ids=[amp.world.person(index).amplitude_id]).status_code == 200


def test_user_lookups_are_limited_to_360_an_hour_together() -> None:
    amp = make_amp(users=1, events_per_user=1, rate_limits=True)
    for _ in range(180):
        assert (
            amp.client.get("/api/2/usersearch", params={"user": "nobody"}, headers=PROJECT).status_code == 200
        )
        assert amp.client.get("/api/2/useractivity", params={"user": "1"}, headers=PROJECT).status_code == 200
    refused = amp.client.get("/api/2/usersearch", params={"user": "nobody"}, headers=PROJECT)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_dsar_calls_spend_a_shared_cost_budget() -> None:
    amp = make_amp(users=1, events_per_user=1, rate_limits=True)
    amp.state.limiter.configure(
        DSAR, BucketSpec(rate=0.001, burst=10)
    )  # a small budget: POST 8 + GET 1 + GET 1
    body = {"userId": "a@example.com", "startDate": "2025-01-01", "endDate": "2025-02-01"}
    request_id = amp.client.post("/api/2/dsar/requests", json=body, headers=ORG).json()["requestId"]
    assert amp.client.get(f"/api/2/dsar/requests/{request_id}", headers=ORG).status_code == 200
    assert amp.client.get(f"/api/2/dsar/requests/{request_id}", headers=ORG).status_code == 200
    assert amp.client.get(f"/api/2/dsar/requests/{request_id}", headers=ORG).status_code == 429


def test_faults_are_injected_and_logged() -> None:
    amp = make_amp(users=1, events_per_user=1, fault_rate=1.0)
    statuses = []
    for _ in range(12):
        try:
            statuses.append(
                amp.client.get("/api/2/usersearch", params={"user": "x"}, headers=PROJECT).status_code
            )
        except DroppedConnection:
            statuses.append(0)
    assert statuses and all(status in (0, 429, 500, 503) for status in statuses)
    logged = amp.client.get("/_sandbox/calls", params={"path": "/api/2/usersearch"}).json()["calls"]
    assert [call["status"] for call in logged] == statuses


def test_the_call_log_records_requests_but_not_sandbox_routes() -> None:
    amp = make_amp(users=1, events_per_user=1)
    amp.search("someone")
    amp.ingest([{"event_type": "x", "user_id": "logged@example.com"}])
    amp.advance(1)
    calls = amp.client.get("/_sandbox/calls").json()["calls"]
    assert [(call["method"], call["path"], call["status"]) for call in calls] == [
        ("GET", "/api/2/usersearch", 200),
        ("POST", "/2/httpapi", 200),
    ]
    assert calls[0]["query"] == "user=someone"
    assert amp.client.delete("/_sandbox/calls").status_code == 200
    assert amp.client.get("/_sandbox/calls").json()["calls"] == []


@pytest.mark.parametrize("rate_limits", [True, False])
def test_the_clock_route_is_mounted(rate_limits: bool) -> None:
    amp = make_amp(users=1, events_per_user=1, rate_limits=rate_limits)
    before = amp.client.get("/_sandbox/clock").json()["now"]
    after = amp.client.post("/_sandbox/clock", json={"advance_days": 2}).json()["now"]
    assert before.startswith("2025-03-15") and after.startswith("2025-03-17")
    assert amp.state.clock.today().isoformat() == "2025-03-17"
