"""Sessions: /sessions/v2 (union of uid and email, camelCase strings) and /v2/sessions/{id}/events."""

from __future__ import annotations

from starlette.testclient import TestClient

from headwater.sandbox.fullstory.state import FullStoryState
from tests.sandbox.fullstory.conftest import ADMIN, make_app


def test_sessions_by_uid_are_camel_case_strings_newest_first(
    client: TestClient, state: FullStoryState
) -> None:
    body = client.get("/sessions/v2", params={"uid": "usr-000001", "limit": 100}, headers=ADMIN).json()
    sessions = body["sessions"]
    assert len(sessions) == len(state.world.sessions(1))
    first = sessions[0]
    assert set(first) == {"userId", "sessionId", "createdTime", "fsUrl"}
    assert all(isinstance(value, str) for value in first.values())
    assert first["fsUrl"].endswith(f"/discover/session/{first['userId']}:{first['sessionId']}")
    created = [int(item["createdTime"]) for item in sessions]
    assert created == sorted(created, reverse=True)


def test_limit_defaults_to_20() -> None:
    app = make_app(users=3, events_per_user=600)  # a visit is 10 to 20 events: 30 to 60 sessions each
    client = TestClient(app)
    params = {"uid": "usr-000001", "email": "x@y.z"}
    every = client.get("/sessions/v2", params={**params, "limit": 1000}, headers=ADMIN).json()["sessions"]
    assert len(every) > 20  # so that a missing default would show
    body = client.get("/sessions/v2", params=params, headers=ADMIN).json()
    assert body["sessions"] == every[:20]  # the newest twenty


def test_uid_and_email_give_the_union(client: TestClient, state: FullStoryState) -> None:
    email = state.world.person(2).email
    params = {"uid": "usr-000001", "email": email, "limit": 1000}
    users = {
        item["userId"] for item in client.get("/sessions/v2", params=params, headers=ADMIN).json()["sessions"]
    }
    assert users == {str(state.world.person(1).fs_user_id), str(state.world.person(2).fs_user_id)}


def test_uid_or_email_is_required(client: TestClient) -> None:
    response = client.get("/sessions/v2", headers=ADMIN)
    assert response.status_code == 400 and response.json()["code"] == "required_field"


def test_session_events_with_encoded_colon(client: TestClient, state: FullStoryState) -> None:
    person, session = state.world.person(4), state.world.sessions(4)[0]
    path = f"/v2/sessions/{person.fs_user_id}%3A{session.session_id}/events"
    events = client.get(path, headers=ADMIN).json()["events"]
    assert len(events) == session.event_count
    first = events[0]
    assert first["session_id"] == f"{person.fs_user_id}:{session.session_id}"
    assert first["event_type"] == "navigate" and first["source_type"] == "web"
    assert first["source_properties"]["url"]["host"] == "shop.example.com"
    assert set(first["source_properties"]["user_agent"]) >= {"raw_user_agent", "browser", "device"}


def test_unknown_session_is_404(client: TestClient, state: FullStoryState) -> None:
    person = state.world.person(4)
    assert client.get(f"/v2/sessions/{person.fs_user_id}%3A1/events", headers=ADMIN).status_code == 404
    assert client.get("/v2/sessions/garbage/events", headers=ADMIN).status_code == 404


def test_deleted_user_has_no_sessions(client: TestClient, state: FullStoryState) -> None:
    person, session = state.world.person(5), state.world.sessions(5)[0]
    client.delete("/v2/users", params={"uid": person.uid}, headers=ADMIN)
    assert client.get("/sessions/v2", params={"uid": person.uid}, headers=ADMIN).json() == {"sessions": []}
    path = f"/v2/sessions/{person.fs_user_id}%3A{session.session_id}/events"
    assert client.get(path, headers=ADMIN).status_code == 404


def test_session_context_and_summary(client: TestClient, state: FullStoryState) -> None:
    person, session = state.world.person(4), state.world.sessions(4)[0]
    session_id = f"{person.fs_user_id}%3A{session.session_id}"
    context = client.post(
        f"/v2/sessions/{session_id}/context", json={"slice": {"event_limit": 3}}, headers=ADMIN
    )
    assert len(context.json()["events"]) == 3
    summary = client.get(f"/v2beta/sessions/{session_id}/summary", headers=ADMIN).json()
    assert "page" in summary["summary"]
    profile = {"id": "short", "configuration": {"pre_prompt": "Summarise"}}
    assert client.post("/v2/visit_profile", json=profile, headers=ADMIN).json()["id"] == "short"
    assert client.get("/v2/visit_profile", headers=ADMIN).json()["profiles"][0]["id"] == "short"
    assert client.delete("/v2/visit_profile/short", headers=ADMIN).json() == {}
    assert client.get("/v2/visit_profile/short", headers=ADMIN).status_code == 404


def test_events_sent_into_a_session_show_up_in_it(client: TestClient, state: FullStoryState) -> None:
    person, session = state.world.person(4), state.world.sessions(4)[0]
    session_id = f"{person.fs_user_id}:{session.session_id}"
    body = {"name": "Coupon Applied", "timestamp": session.start.isoformat(), "session": {"id": session_id}}
    assert client.post("/v2/events", json=body, headers=ADMIN).status_code == 200
    events = client.get(f"/v2/sessions/{session_id.replace(':', '%3A')}/events", headers=ADMIN).json()[
        "events"
    ]
    assert len(events) == session.event_count + 1
    assert any(e["event_properties"].get("event_name") == "Coupon Applied" for e in events)
