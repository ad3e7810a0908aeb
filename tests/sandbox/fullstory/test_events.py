"""POST /v2/events and /v2/annotations."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from headwater.sandbox.fullstory.state import FullStoryState
from tests.sandbox.fullstory.conftest import ADMIN, STANDARD


def test_create_event_returns_empty_object(client: TestClient, state: FullStoryState) -> None:
    body = {
        "name": "Support Ticket",
        "timestamp": "2024-03-03T14:23:23Z",
        "properties": {"priority": "Normal", "id": 424242},
        "user": {"uid": "usr-000003"},
        "context": {"browser": {"url": "https://shop.example.com/help"}},
    }
    response = client.post("/v2/events", json=body, headers=STANDARD)
    assert (response.status_code, response.json()) == (200, {})
    [stored] = state.ingested.between(state.world.start, state.clock.now())
    assert stored.name == "Support Ticket" and stored.user_id == str(state.world.person(3).fs_user_id)


def test_event_name_is_required(client: TestClient) -> None:
    response = client.post("/v2/events", json={"properties": {}}, headers=STANDARD)
    assert response.json() == {"message": "name is required", "code": "required_field"}


def test_session_id_excludes_user(client: TestClient) -> None:
    body = {"name": "x", "session": {"id": "1:2"}, "user": {"uid": "usr-000001"}}
    assert client.post("/v2/events", json=body, headers=STANDARD).status_code == 400


def test_use_most_recent_attaches_to_an_active_session(client: TestClient, state: FullStoryState) -> None:
    session = state.world.sessions(1)[0]
    body = {
        "name": "In Session",
        "timestamp": session.end.isoformat(),
        "user": {"uid": "usr-000001"},
        "session": {"use_most_recent": True},
    }
    client.post("/v2/events", json=body, headers=STANDARD)
    [stored] = state.ingested.for_user(str(state.world.person(1).fs_user_id))
    assert stored.session_id == session.session_id


def test_event_for_new_uid_creates_the_user(client: TestClient) -> None:
    client.post("/v2/events", json={"name": "Hi", "user": {"uid": "fresh-uid"}}, headers=STANDARD)
    assert client.get("/v2/users", params={"uid": "fresh-uid"}, headers=ADMIN).json()["total_records"] == "1"


def test_event_idempotency_key(client: TestClient, state: FullStoryState) -> None:
    headers = {**STANDARD, "Idempotency-Key": "evt-1"}
    for _ in range(3):
        client.post("/v2/events", json={"name": "Once"}, headers=headers)
    assert len(state.ingested.between(state.world.start, state.clock.now() + timedelta(seconds=1))) == 1


def test_annotation_echoes_what_was_stored(client: TestClient) -> None:
    body = {"text": "Code Release", "start_time": "2024-06-29T14:23:23Z", "source": "Deploy Pipeline"}
    response = client.post("/v2/annotations", json=body, headers=STANDARD)
    assert response.json() == {
        "text": "Code Release",
        "start_time": "2024-06-29T14:23:23.000Z",
        "end_time": "2024-06-29T14:23:23.000Z",
        "source": "Deploy Pipeline",
    }


def test_annotation_needs_text_and_ordered_times(client: TestClient) -> None:
    missing = client.post("/v2/annotations", json={}, headers=STANDARD)
    assert missing.json() == {"message": "text is required", "code": "invalid_argument"}
    body = {"text": "x", "start_time": "2024-06-29T14:00:00Z", "end_time": "2024-06-29T13:00:00Z"}
    assert client.post("/v2/annotations", json=body, headers=STANDARD).status_code == 400
