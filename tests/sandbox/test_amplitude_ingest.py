"""HTTP V2, Batch and Identify: documented success and error bodies, and data the read APIs then return."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.sandbox.amplitude_support import CREDS, make_amp

KEY = CREDS.amplitude_api_key


def test_http_v2_success_body_and_the_user_it_creates() -> None:
    amp = make_amp()
    events: list[dict[str, Any]] = [
        {
            "event_type": "Signed Up",
            "user_id": "new@example.com",
            "device_id": "device-new-1",
            "time": 1741996800000,
        },
        {"event_type": "Viewed", "user_id": "new@example.com", "event_properties": {"page": "/pricing"}},
    ]
    response = amp.ingest(events)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 200 and body["events_ingested"] == 2
    assert body["payload_size_bytes"] == len(response.request.content)
    assert body["server_upload_time"] == 1741996800000  # the sandbox clock, in ms
    (match,) = amp.search("new@example.com")["matches"]
    activity = amp.activity(match["amplitude_id"], direction="earliest")
    assert [event["event_type"] for event in activity["events"]] == ["Signed Up", "Viewed"]
    assert activity["events"][1]["event_properties"] == {"page": "/pricing"}
    assert activity["events"][0]["event_time"] == "2025-03-15 00:00:00.000000"


@pytest.mark.parametrize(
    ("raw", "status", "error"),
    [
        (b"", 400, "Missing request body"),
        (b"{nope", 400, "Invalid JSON request body"),
        (
            json.dumps({"events": [{"event_type": "x", "user_id": "abcdef"}]}).encode(),
            400,
            "Request missing required field",
        ),
        (json.dumps({"api_key": "wrong", "events": []}).encode(), 400, "Invalid API key"),
        (json.dumps({"api_key": KEY}).encode(), 400, "Request missing required field"),
    ],
)
def test_request_level_errors(raw: bytes, status: int, error: str) -> None:
    amp = make_amp()
    response = amp.client.post("/2/httpapi", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json()["code"] == status
    assert response.json()["error"] == error


def test_missing_fields_are_reported_per_event_and_nothing_is_stored() -> None:
    amp = make_amp()
    events = [
        {"event_type": "Fine", "user_id": "fine@example.com"},
        {"user_id": "no-type@example.com"},
        {"event_type": "No Ids"},
    ]
    response = amp.ingest(events)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Request missing required field"
    assert body["events_with_missing_fields"] == {"event_type": [1], "user_id": [2]}
    assert amp.search("fine@example.com")["type"] == "nomatch"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"event_type": "x", "user_id": "someone@example.com", "time": "2025-03-01T00:00:00Z"}, "time"),
        ({"event_type": "x", "user_id": "someone@example.com", "time": 1741996800.5}, "time"),
        ({"event_type": "x", "user_id": "undefined"}, "user_id"),
        (
            {
                "event_type": "x",
                "user_id": "someone@example.com",
                "device_id": "00000000-0000-0000-0000-000000000000",
            },
            "device_id",
        ),
        (
            {
                "event_type": "x",
                "user_id": "someone@example.com",
                "event_properties": ["not", "an", "object"],
            },
            "event_properties",
        ),
    ],
)
def test_invalid_field_values(event: dict[str, Any], field: str) -> None:
    amp = make_amp()
    response = amp.ingest([event])
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid field values on some events"
    assert response.json()["events_with_invalid_fields"] == {field: [0]}


def test_short_ids_are_dropped_unless_min_id_length_allows_them() -> None:
    amp = make_amp()
    short_only = amp.ingest([{"event_type": "Short", "user_id": "abc"}])
    assert short_only.status_code == 400
    assert short_only.json()["events_with_missing_fields"] == {"user_id": [0]}
    dropped = amp.ingest([{"event_type": "Short", "user_id": "abc", "device_id": "long-device-id"}])
    assert dropped.status_code == 200
    assert amp.search("abc")["type"] == "nomatch"
    assert amp.search("long-device-id")["matches"][0]["user_id"] is None
    kept = amp.ingest([{"event_type": "Short", "user_id": "abc"}], options={"min_id_length": 3})
    assert kept.status_code == 200
    assert amp.search("abc")["matches"][0]["user_id"] == "abc"


def test_size_and_count_limits_differ_between_http_v2_and_batch() -> None:
    amp = make_amp()
    too_many = [{"event_type": "x", "user_id": "bulk@example.com"}] * 2001
    assert amp.ingest(too_many).status_code == 413
    assert amp.ingest(too_many, path="/batch").status_code == 413
    big = [{"event_type": "x", "user_id": "big@example.com", "event_properties": {"blob": "y" * 1000}}] * 1100
    response = amp.ingest(big)
    assert response.status_code == 413
    assert response.json() == {"code": 413, "error": "Payload too large"}
    batch = amp.ingest(big, path="/batch")
    assert batch.status_code == 200 and batch.json()["events_ingested"] == 1100


def test_insert_id_deduplicates_per_device() -> None:
    amp = make_amp()
    event = {
        "event_type": "Paid",
        "user_id": "payer@example.com",
        "device_id": "payer-device",
        "insert_id": "pay-1",
    }
    assert amp.ingest([event]).status_code == 200
    assert amp.ingest([event]).status_code == 200
    assert amp.ingest([{**event, "device_id": "other-device"}]).status_code == 200
    (match,) = amp.search("payer@example.com")["matches"]
    assert len(amp.activity(match["amplitude_id"])["events"]) == 2
    amp.advance(8)  # the dedupe window is 7 days
    assert amp.ingest([event]).status_code == 200
    assert len(amp.activity(match["amplitude_id"])["events"]) == 3


def test_long_strings_are_cut_to_1024_characters() -> None:
    amp = make_amp()
    amp.ingest(
        [{"event_type": "Long", "user_id": "long@example.com", "event_properties": {"text": "z" * 5000}}]
    )
    (match,) = amp.search("long@example.com")["matches"]
    assert len(amp.activity(match["amplitude_id"])["events"][0]["event_properties"]["text"]) == 1024


def test_user_property_operations_apply_in_order() -> None:
    amp = make_amp()
    base = {"user_id": "props@example.com", "device_id": "props-device"}
    amp.ingest(
        [
            {
                **base,
                "event_type": "$identify",
                "user_properties": {"$set": {"plan": "pro"}, "$add": {"logins": 1}},
            }
        ]
    )
    amp.ingest(
        [
            {
                **base,
                "event_type": "$identify",
                "user_properties": {"$setOnce": {"plan": "free", "first": "a"}, "$add": {"logins": 2}},
            }
        ]
    )
    amp.ingest([{**base, "event_type": "Clicked", "user_properties": {"color": "blue"}}])
    (match,) = amp.search("props@example.com")["matches"]
    activity = amp.activity(match["amplitude_id"], direction="earliest")
    assert activity["userData"]["properties"] == {"plan": "pro", "logins": 3, "first": "a", "color": "blue"}
    assert activity["events"][0]["user_properties"] == {"plan": "pro", "logins": 1}
    mixed = amp.ingest([{**base, "event_type": "$identify", "user_properties": {"$set": {"a": 1}, "b": 2}}])
    assert mixed.status_code == 400


def test_a_known_device_keeps_its_user_but_a_different_user_id_is_a_new_user() -> None:
    amp = make_amp()
    amp.ingest([{"event_type": "Open", "device_id": "shared-device"}])
    (anonymous,) = amp.search("shared-device")["matches"]
    assert anonymous["user_id"] is None
    amp.ingest([{"event_type": "Login", "user_id": "first@example.com", "device_id": "shared-device"}])
    (first,) = amp.search("first@example.com")["matches"]
    assert first["amplitude_id"] == anonymous["amplitude_id"]
    amp.ingest([{"event_type": "Login", "user_id": "second@example.com", "device_id": "shared-device"}])
    (second,) = amp.search("second@example.com")["matches"]
    assert second["amplitude_id"] != first["amplitude_id"]


def test_identify_is_form_encoded_and_answers_plain_success() -> None:
    amp = make_amp()
    identification = json.dumps([{"user_id": "identified@example.com", "user_properties": {"plan": "team"}}])
    response = amp.client.post("/identify", data={"api_key": KEY, "identification": identification})
    assert response.status_code == 200
    assert response.text == "success"
    (match,) = amp.search("identified@example.com")["matches"]
    assert amp.activity(match["amplitude_id"])["events"] == []  # identify is not an event
    profile = amp.client.get(
        "/v1/userprofile",
        params={"user_id": "identified@example.com", "get_amp_props": "true"},
        headers={"Authorization": f"Api-Key {CREDS.amplitude_secret_key}"},
    )
    assert profile.json()["userData"]["amp_props"]["plan"] == "team"
    single = json.dumps({"device_id": "identify-device", "user_properties": {"$set": {"a": 1}}})
    assert amp.client.get("/identify", params={"api_key": KEY, "identification": single}).text == "success"


@pytest.mark.parametrize(
    ("form", "status", "body"),
    [
        ({"api_key": KEY}, 400, "missing_event"),
        ({"api_key": KEY, "identification": "{oops"}, 400, "missing_event"),
        ({"api_key": KEY, "identification": json.dumps({"user_properties": {"a": 1}})}, 400, "missing_event"),
        ({"api_key": "wrong", "identification": json.dumps({"user_id": "someone@example.com"})}, 400, None),
    ],
)
def test_identify_errors(form: dict[str, str], status: int, body: str | None) -> None:
    amp = make_amp()
    response = amp.client.post("/identify", data=form)
    assert response.status_code == status
    if body is None:
        assert response.json() == {"code": 400, "error": "Invalid API key"}
    else:
        assert response.text == body
