"""Batch imports: a job PROCESSING until polled, 202 from imports/errors meanwhile, then paged results."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from headwater.sandbox.fullstory import batch
from headwater.sandbox.fullstory.state import FullStoryState
from tests.sandbox.fullstory.conftest import ADMIN, STANDARD


def test_user_batch_lifecycle(client: TestClient, state: FullStoryState) -> None:
    requests = [{"uid": "b1", "email": "b1@example.com"}, {"uid": "b2", "properties": {"bad-name": 1}}]
    created = client.post("/v2/users/batch", json={"requests": requests}, headers=STANDARD)
    assert created.status_code == 200
    job = created.json()["job"]
    assert job["status"] == "PROCESSING" and job["id"] and job["created"].endswith("Z")
    early = client.get(f"/v2/users/batch/{job['id']}/imports", headers=STANDARD)
    assert early.status_code == 202 and early.content == b""
    status = client.get(f"/v2/users/batch/{job['id']}", headers=STANDARD).json()
    assert status["job"]["status"] == "FAILED" and status["imports"] == 1 and status["errors"] == 1
    assert "finished" in status["job"]
    imports = client.get(f"/v2/users/batch/{job['id']}/imports", headers=STANDARD).json()
    assert imports["total_records"] == "1" and imports["results"][0]["uid"] == "b1"
    problems = client.get(f"/v2/users/batch/{job['id']}/errors", headers=STANDARD).json()
    assert (
        problems["results"][0]["user"]["uid"] == "b2" and problems["results"][0]["code"] == "invalid_argument"
    )
    assert state.users.by_uid("b1") is not None


def test_completed_batch_without_errors(client: TestClient) -> None:
    job = client.post("/v2/users/batch", json={"requests": [{"uid": "ok"}]}, headers=ADMIN).json()["job"]
    client.get(f"/v2/users/batch/{job['id']}", headers=ADMIN)
    status = client.get(f"/v2/users/batch/{job['id']}", headers=ADMIN).json()
    assert status["job"]["status"] == "COMPLETED" and "errors" not in status


def test_imports_page_with_next_page_token(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "RESULTS_PAGE_SIZE", 2)
    requests = [{"uid": f"u{i}"} for i in range(5)]
    job = client.post("/v2/users/batch", json={"requests": requests}, headers=ADMIN).json()["job"]
    client.get(f"/v2/users/batch/{job['id']}", headers=ADMIN)
    client.get(f"/v2/users/batch/{job['id']}", headers=ADMIN)
    uids, token = [], None
    while True:
        params = {"page_token": token} if token else {}
        page = client.get(f"/v2/users/batch/{job['id']}/imports", params=params, headers=ADMIN).json()
        uids += [user["uid"] for user in page["results"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert uids == [f"u{i}" for i in range(5)]


def test_event_batch_imports_events(client: TestClient, state: FullStoryState) -> None:
    requests = [
        {"name": "Imported", "user": {"uid": "usr-000002"}, "timestamp": "2024-03-02T10:00:00Z"},
        {"name": "Broken", "context": {"browser": {"url": "https://x"}}},
    ]
    body = {"requests": requests, "shared": {"context": {"browser": {"url": "https://shop.example.com/"}}}}
    job = client.post("/v2/events/batch", json=body, headers=STANDARD).json()["job"]
    assert client.get(f"/v2/events/batch/{job['id']}/errors", headers=STANDARD).status_code == 202
    client.get(f"/v2/events/batch/{job['id']}", headers=STANDARD)
    imports = client.get(f"/v2/events/batch/{job['id']}/imports", headers=STANDARD).json()
    assert [event["name"] for event in imports["results"]] == ["Imported"]
    assert imports["results"][0]["user"]["uid"] == "usr-000002"
    problems = client.get(f"/v2/events/batch/{job['id']}/errors", headers=STANDARD).json()
    assert problems["results"][0]["event"]["name"] == "Broken"


def test_batch_limits_and_validation(client: TestClient) -> None:
    too_many = {"requests": [{}] * (batch.MAX_BATCH_ITEMS + 1)}
    assert client.post("/v2/users/batch", json=too_many, headers=ADMIN).status_code == 400
    missing = client.post("/v2/users/batch", json={}, headers=ADMIN)
    assert missing.status_code == 400 and missing.json()["code"] == "required_field"
    assert client.get("/v2/users/batch/nope", headers=ADMIN).status_code == 404


def test_batch_idempotency_key(client: TestClient) -> None:
    headers = {**ADMIN, "Idempotency-Key": "job-1"}
    first = client.post("/v2/users/batch", json={"requests": [{"uid": "i1"}]}, headers=headers).json()
    second = client.post("/v2/users/batch", json={"requests": [{"uid": "i2"}]}, headers=headers).json()
    assert first == second
