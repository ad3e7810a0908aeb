"""Auth per API family: Basic key:secret (project or org pair), Api-Key for profiles, api_key for ingest."""

from __future__ import annotations

import pytest

from tests.sandbox.amplitude_support import CREDS, ORG, PROJECT, basic, make_amp

READ_CALLS = [
    ("GET", "/api/2/usersearch?user=someone"),
    ("GET", "/api/2/useractivity?user=1"),
    ("GET", "/api/2/deletions/users?start_day=2025-03-01&end_day=2025-03-31"),
    ("POST", "/api/2/deletions/users"),
    ("DELETE", "/api/2/deletions/users/1/2025-03-29"),
    ("GET", "/api/2/export?start=20250301T00&end=20250301T01"),
]
BAD_HEADERS = [
    {},
    {"Authorization": "Bearer something"},
    {"Authorization": "Basic !!!not-base64!!!"},
    basic(CREDS.amplitude_api_key, "wrong-secret"),
    basic("wrong-key", CREDS.amplitude_secret_key),
    ORG,
    {"Authorization": f"Basic {CREDS.amplitude_api_key}:{CREDS.amplitude_secret_key}"},  # not base64-encoded
]


@pytest.mark.parametrize(("method", "url"), READ_CALLS)
@pytest.mark.parametrize("headers", BAD_HEADERS)
def test_project_endpoints_answer_401_without_the_project_pair(
    method: str, url: str, headers: dict[str, str]
) -> None:
    amp = make_amp(users=1, events_per_user=1)
    response = amp.client.request(method, url, headers=headers, json={"user_ids": ["x"]})
    assert response.status_code == 401
    assert "error" in response.json()


def test_the_project_pair_is_accepted() -> None:
    amp = make_amp(users=1, events_per_user=1)
    assert amp.client.get("/api/2/usersearch", params={"user": "x"}, headers=PROJECT).status_code == 200


def test_auth_failures_can_look_like_a_wrong_region_403() -> None:
    amp = make_amp(users=1, events_per_user=1)
    amp.state.settings.auth_failure_status = 403
    assert amp.client.get("/api/2/usersearch", params={"user": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("authorization", "text"),
    [
        (None, "Missing Api-Key in Authorization header"),
        ("Api-Key", "Missing Api-Key in Authorization header"),
        (f"Basic {CREDS.amplitude_secret_key}", "Missing Api-Key in Authorization header"),
        ("Api-Key not-the-secret", "Invalid Api-Key"),
        (f"Api-Key {CREDS.amplitude_api_key}", "Invalid Api-Key"),
    ],
)
def test_profile_api_401_texts(authorization: str | None, text: str) -> None:
    amp = make_amp(users=1, events_per_user=1)
    headers = {"Authorization": authorization} if authorization else {}
    response = amp.client.get("/v1/userprofile", params={"user_id": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.text == text


def test_ingestion_needs_only_the_api_key_and_rejects_a_wrong_one() -> None:
    amp = make_amp(users=1, events_per_user=1)
    event = {"event_type": "x", "user_id": "someone@example.com"}
    wrong = amp.client.post("/2/httpapi", json={"api_key": CREDS.amplitude_secret_key, "events": [event]})
    assert wrong.status_code == 400
    assert wrong.json() == {"code": 400, "error": "Invalid API key"}
    missing = amp.client.post("/batch", json={"events": [event]})
    assert missing.json()["missing_field"] == "api_key"
    assert amp.ingest([event]).status_code == 200


def test_two_apps_never_share_state() -> None:
    first, second = make_amp(users=1, events_per_user=1), make_amp(users=1, events_per_user=1)
    first.ingest([{"event_type": "x", "user_id": "only-first@example.com"}])
    assert first.search("only-first@example.com")["type"] == "match_user_or_device_id"
    assert second.search("only-first@example.com")["type"] == "nomatch"
