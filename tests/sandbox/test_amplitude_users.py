"""usersearch, useractivity and the User Profile API, as the Dashboard REST and Profile docs describe them."""

from __future__ import annotations

import pytest

from headwater.sandbox.amplitude.rows import LIBRARY
from tests.sandbox.amplitude_support import CREDS, PROJECT, make_amp

MATCH_KEYS = {"user_id", "amplitude_id", "last_device_id", "last_seen"}


def test_search_by_user_id_device_id_and_amplitude_id() -> None:
    amp = make_amp()
    person = amp.world.person(3)
    by_user = amp.search(person.email)
    assert by_user["type"] == "match_user_or_device_id"
    (match,) = by_user["matches"]
    assert set(match) == MATCH_KEYS
    assert match["user_id"] == person.email
    assert match["amplitude_id"] == person.amplitude_id
    assert match["last_device_id"] == person.device_id
    assert match["last_seen"] <= "2025-03-15"
    assert amp.search(person.device_id) == by_user
    by_id = amp.search(str(person.amplitude_id))
    assert by_id["type"] == "match_amplitude_id"
    assert by_id["matches"] == by_user["matches"]


def test_prefix_search_returns_other_users_and_exact_beats_prefix() -> None:
    amp = make_amp()
    for user_id in ("ann@x.io", "ann@x.io.uk", "anna@x.io"):
        amp.ingest([{"event_type": "Signed Up", "user_id": user_id, "device_id": f"device-{user_id}"}])
    exact = amp.search("ann@x.io")
    assert exact["type"] == "match_user_or_device_id"
    assert [match["user_id"] for match in exact["matches"]] == ["ann@x.io"]
    prefixed = amp.search("ann@x.i")
    assert prefixed["type"] == "match_user_prefix"
    assert [match["user_id"] for match in prefixed["matches"]] == ["ann@x.io", "ann@x.io.uk"]
    assert [match["user_id"] for match in amp.search("ann")["matches"]] == [
        "ann@x.io",
        "ann@x.io.uk",
        "anna@x.io",
    ]


def test_search_is_case_sensitive_and_never_matches_properties() -> None:
    amp = make_amp()
    amp.ingest(
        [
            {
                "event_type": "Profile Saved",
                "user_id": "customer-9001",
                "device_id": "device-9001",
                "user_properties": {"email": "zed@x.io", "name": "Zed"},
            }
        ]
    )
    assert amp.search("customer-9001")["type"] == "match_user_or_device_id"
    assert amp.search("CUSTOMER-9001") == {"matches": [], "type": "nomatch"}
    assert amp.search("zed@x.io") == {"matches": [], "type": "nomatch"}
    assert amp.search(amp.world.person(0).email.upper())["type"] == "nomatch"


def test_search_requires_the_user_parameter() -> None:
    amp = make_amp()
    assert amp.client.get("/api/2/usersearch", headers=PROJECT).status_code == 400


def test_activity_pages_newest_first_with_offset_and_limit() -> None:
    amp = make_amp(events_per_user=30)
    person = amp.world.person(0)
    everything = amp.activity(person.amplitude_id)
    events = everything["events"]
    assert len(events) == 30
    times = [event["event_time"] for event in events]
    assert times == sorted(times, reverse=True)
    first, second = (
        amp.activity(person.amplitude_id, limit=20),
        amp.activity(person.amplitude_id, offset=20, limit=20),
    )
    assert len(first["events"]) == 20 and len(second["events"]) == 10
    assert first["events"] + second["events"] == events
    assert amp.activity(person.amplitude_id, offset=1000)["events"] == []
    earliest = amp.activity(person.amplitude_id, direction="earliest", limit=5)["events"]
    assert earliest == events[::-1][:5]


def test_activity_user_data_and_event_rows() -> None:
    amp = make_amp(events_per_user=30)
    person = amp.world.person(1)
    body = amp.activity(person.amplitude_id)
    data = body["userData"]
    assert data["user_id"] == person.email
    assert data["canonical_amplitude_id"] == person.amplitude_id
    assert data["merged_amplitude_ids"] == []
    assert data["num_events"] == 30
    assert data["num_sessions"] >= 1
    assert data["device_ids"] == [person.device_id]
    assert data["properties"]["plan"] == person.properties["plan"]
    assert data["first_used"] <= data["last_used"]
    event = body["events"][0]
    for key in (
        "app",
        "amplitude_id",
        "user_id",
        "device_id",
        "event_type",
        "uuid",
        "$insert_id",
        "session_id",
    ):
        assert key in event
    assert event["amplitude_id"] == person.amplitude_id
    assert len(event["event_time"]) == 26 and event["event_time"][10] == " "


def test_activity_limit_is_capped_at_1000() -> None:
    amp = make_amp(users=1, events_per_user=1100)
    person = amp.world.person(0)
    assert len(amp.activity(person.amplitude_id, limit=5000)["events"]) == 1000
    assert len(amp.activity(person.amplitude_id, offset=1000)["events"]) == 100


@pytest.mark.parametrize(
    "params",
    [{}, {"user": "someone@example.com"}, {"user": "1", "offset": "-1"}, {"user": "1", "direction": "up"}],
)
def test_activity_rejects_bad_parameters(params: dict[str, str]) -> None:
    amp = make_amp()
    assert amp.client.get("/api/2/useractivity", params=params, headers=PROJECT).status_code == 400


def test_activity_of_an_unknown_amplitude_id_is_empty() -> None:
    amp = make_amp()
    assert amp.activity(424242) == {"userData": {}, "events": []}


def test_user_profile_by_user_id_and_device_id() -> None:
    amp = make_amp()
    person = amp.world.person(2)
    response = amp.client.get(
        "/v1/userprofile",
        params={"user_id": person.email, "get_amp_props": "true"},
        headers={"Authorization": f"Api-Key {CREDS.amplitude_secret_key}"},
    )
    assert response.status_code == 200
    data = response.json()["userData"]
    assert data["user_id"] == person.email
    assert data["device_id"] == person.device_id
    assert data["recommendations"] is None and data["cohort_ids"] is None
    assert data["amp_props"]["library"] == LIBRARY
    assert data["amp_props"]["plan"] == person.properties["plan"]
    by_device = amp.client.get(
        "/v1/userprofile",
        params={"device_id": person.device_id},
        headers={"Authorization": f"Api-Key {CREDS.amplitude_secret_key}"},
    )
    assert by_device.json()["userData"]["user_id"] == person.email
    assert by_device.json()["userData"]["amp_props"] is None


def test_user_profile_errors() -> None:
    amp = make_amp()
    headers = {"Authorization": f"Api-Key {CREDS.amplitude_secret_key}"}
    unknown = amp.client.get("/v1/userprofile", params={"user_id": "nobody@example.com"}, headers=headers)
    assert unknown.status_code == 400
    assert unknown.json() == {"error": "User id and device id not seen before"}
    assert amp.client.get("/v1/userprofile", headers=headers).status_code == 400
