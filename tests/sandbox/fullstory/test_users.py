"""v2 Users: upsert, get, list with page_token, update by POST, delete by id and uid, purge."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from headwater.sandbox.fullstory import users
from headwater.sandbox.fullstory.state import FullStoryState
from tests.sandbox.fullstory.conftest import ADMIN, STANDARD


def test_create_returns_id_and_upserts_on_uid(client: TestClient) -> None:
    first = client.post("/v2/users", json={"uid": "xyz123", "properties": {"plan": "paid"}}, headers=STANDARD)
    assert first.status_code == 200
    user_id = first.json()["id"]
    again = client.post("/v2/users", json={"uid": "xyz123", "properties": {"total": 14.5}}, headers=STANDARD)
    assert again.json() == {"id": user_id}
    user = client.get(f"/v2/users/{user_id}", headers=ADMIN).json()
    assert user["properties"] == {"plan": "paid", "total": 14.5}
    assert user["is_being_deleted"] is False


def test_anonymous_user_without_uid(client: TestClient) -> None:
    user_id = client.post("/v2/users", json={"display_name": "Anon"}, headers=ADMIN).json()["id"]
    assert client.get(f"/v2/users/{user_id}", headers=ADMIN).json()["uid"] == ""


def test_idempotency_key_replays_the_first_reply(client: TestClient, state: FullStoryState) -> None:
    headers = {**STANDARD, "Idempotency-Key": "abc-1"}
    first = client.post("/v2/users", json={"uid": "idem-1"}, headers=headers)
    second = client.post("/v2/users", json={"uid": "idem-2"}, headers=headers)
    assert second.json() == first.json()
    assert state.users.by_uid("idem-2") is None


def test_world_people_are_users(client: TestClient, state: FullStoryState) -> None:
    person = state.world.person(3)
    body = client.get("/v2/users", params={"uid": person.uid}, headers=ADMIN).json()
    assert body["total_records"] == "1"
    user = body["results"][0]
    assert user["id"] == str(person.fs_user_id)
    assert (user["email"], user["display_name"]) == (person.email, person.display_name)
    assert "next_page_token" not in body


def test_list_filters_by_email_and_returns_empty_for_no_match(
    client: TestClient, state: FullStoryState
) -> None:
    person = state.world.person(5)
    found = client.get("/v2/users", params={"email": person.email}, headers=ADMIN).json()
    assert [user["uid"] for user in found["results"]] == [person.uid]
    none = client.get("/v2/users", params={"email": "nobody@example.com"}, headers=ADMIN)
    assert none.status_code == 200
    assert none.json()["results"] == [] and none.json()["total_records"] == "0"


def test_list_pages_with_page_token(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "USERS_PAGE_SIZE", 5)
    seen: list[str] = []
    token, pages = None, 0
    while True:
        body = client.get("/v2/users", params={"page_token": token} if token else {}, headers=ADMIN).json()
        assert body["total_records"] == "12"
        seen += [user["id"] for user in body["results"]]
        pages += 1
        token = body.get("next_page_token")
        if not token:
            break
    assert pages == 3 and len(set(seen)) == 12


def test_bad_page_token_is_400(client: TestClient) -> None:
    response = client.get("/v2/users", params={"page_token": "???"}, headers=ADMIN)
    assert response.status_code == 400 and response.json()["code"] == "invalid_argument"


def test_include_schema(client: TestClient) -> None:
    client.post(
        "/v2/users",
        json={"uid": "s1", "properties": {"n": 1, "ok": True, "when": "2024-01-02"}},
        headers=ADMIN,
    )
    user = client.get("/v2/users", params={"uid": "s1", "include_schema": "true"}, headers=ADMIN).json()[
        "results"
    ][0]
    assert user["schema"]["properties"] == {"n": "int", "ok": "bool", "when": "date"}
    plain = client.get("/v2/users", params={"uid": "s1"}, headers=ADMIN).json()["results"][0]
    assert "schema" not in plain


def test_update_is_post_and_uid_is_immutable(client: TestClient, state: FullStoryState) -> None:
    user_id = str(state.world.person(1).fs_user_id)
    updated = client.post(f"/v2/users/{user_id}", json={"display_name": "New Name"}, headers=STANDARD)
    assert updated.json() == {"id": user_id}
    assert client.get(f"/v2/users/{user_id}", headers=ADMIN).json()["display_name"] == "New Name"
    changed = client.post(f"/v2/users/{user_id}", json={"uid": "other"}, headers=STANDARD)
    assert changed.status_code == 400
    assert client.patch(f"/v2/users/{user_id}", json={}, headers=ADMIN).status_code == 405


def test_unknown_user_is_404(client: TestClient) -> None:
    response = client.get("/v2/users/424242", headers=ADMIN)
    assert response.status_code == 404
    assert set(response.json()) == {"message", "code"}


def test_invalid_property_name_is_400(client: TestClient) -> None:
    response = client.post("/v2/users", json={"uid": "p", "properties": {"bad-name": 1}}, headers=ADMIN)
    assert response.status_code == 400 and response.json()["code"] == "invalid_argument"


def test_delete_by_id_then_purged(client: TestClient, state: FullStoryState) -> None:
    user_id = str(state.world.person(2).fs_user_id)
    deleted = client.delete(f"/v2/users/{user_id}", headers=ADMIN)
    assert (deleted.status_code, deleted.json()) == (200, {})
    during = client.get(f"/v2/users/{user_id}", headers=ADMIN).json()
    assert during["is_being_deleted"] is True and during["properties"] == {}
    client.post("/_sandbox/clock", json={"advance_seconds": state.options.purge_after_seconds})
    assert client.get(f"/v2/users/{user_id}", headers=ADMIN).status_code == 404
    assert client.get("/v2/users", params={"uid": "usr-000002"}, headers=ADMIN).json()["results"] == []


def test_delete_by_uid(client: TestClient) -> None:
    assert client.delete("/v2/users", params={"uid": "usr-000004"}, headers=ADMIN).json() == {}
    found = client.get("/v2/users", params={"uid": "usr-000004"}, headers=ADMIN).json()["results"]
    assert found[0]["is_being_deleted"] is True


def test_delete_by_uid_needs_uid_and_known_user(client: TestClient) -> None:
    missing = client.delete("/v2/users", headers=ADMIN)
    assert missing.status_code == 400
    assert missing.json() == {"message": "uid is required", "code": "required_field"}
    assert client.delete("/v2/users", params={"uid": "nobody"}, headers=ADMIN).status_code == 404


def test_v2beta_mirrors_v2(client: TestClient) -> None:
    user_id = client.post("/v2beta/users", json={"uid": "beta"}, headers=ADMIN).json()["id"]
    assert client.get(f"/v2/users/{user_id}", headers=ADMIN).json()["uid"] == "beta"
    assert client.delete("/v2beta/users", params={"uid": "beta"}, headers=ADMIN).json() == {}
