"""Legacy data export: bundle list paging, gzip bundle contents, 2/min limit, clock-revealed bundles."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from starlette.testclient import TestClient

from headwater.sandbox.fullstory.state import FullStoryState
from tests.sandbox.fullstory.conftest import ADMIN, NOW, WORLD_START, make_app

DAY = 86_400


def _bundles(client: TestClient, start: int = 0) -> list[dict[str, int]]:
    response = client.get("/api/v1/export/list", params={"start": start}, headers=ADMIN)
    assert response.status_code == 200
    return list(response.json()["exports"])


def _rows(client: TestClient, bundle_id: int) -> list[dict[str, Any]]:
    response = client.get("/api/v1/export/get", params={"id": bundle_id}, headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/gzip"
    assert 'filename="DataExport.json.gz"' in response.headers["content-disposition"]
    return list(json.loads(gzip.decompress(response.content)))


def test_list_returns_finished_daily_bundles_oldest_first(client: TestClient) -> None:
    bundles = _bundles(client)
    start = int(WORLD_START.timestamp())
    assert bundles[0] == {"Id": start // DAY, "Start": start, "Stop": start + DAY}
    assert [b["Start"] for b in bundles] == sorted(b["Start"] for b in bundles)
    assert bundles[-1]["Stop"] <= NOW.timestamp()
    assert len(bundles) == 9  # March 1..9 are over at noon on March 10


def test_list_keeps_bundles_whose_stop_is_after_start(client: TestClient) -> None:
    bundles = _bundles(client)
    after = _bundles(client, bundles[2]["Stop"])
    assert after[0] == bundles[3]
    assert _bundles(client, bundles[2]["Stop"] - 1)[0] == bundles[2]


def test_list_pages_by_20() -> None:
    client = TestClient(make_app(bundle_hours=1.0))
    first = _bundles(client)
    assert len(first) == 20
    second = _bundles(client, first[-1]["Stop"])
    assert second[0]["Start"] == first[-1]["Stop"]


def test_bundle_holds_the_windows_events_with_documented_field_names(
    client: TestClient, state: FullStoryState
) -> None:
    bundle = _bundles(client)[1]
    rows = _rows(client, bundle["Id"])
    window = [datetime.fromtimestamp(bundle[k], UTC) for k in ("Start", "Stop")]
    assert len(rows) == sum(1 for _ in state.world.events_between(*window)) > 0
    for key in (
        "IndvId",
        "UserId",
        "SessionId",
        "PageId",
        "EventStart",
        "EventType",
        "PageUrl",
        "PageRefererUrl",
        "PageIp",
        "PageLatLong",
        "PageUserAgent",
        "UserAppKey",
        "UserDisplayName",
        "UserEmail",
    ):
        assert key in rows[0], key
    assert isinstance(rows[0]["IndvId"], int)
    assert any(key.startswith("user_") and key.endswith("_str") for key in rows[0])
    customs = [row for row in rows if row["EventType"] == "custom"]
    assert customs and all(row["EventCustomName"] for row in customs)
    assert any(key.startswith("evt_") for row in customs for key in row)
    assert all("EventCustomName" not in row for row in rows if row["EventType"] != "custom")
    assert all(value != "" for row in rows for value in row.values())
    assert [row["EventStart"] for row in rows] == sorted(row["EventStart"] for row in rows)


def test_download_limit_is_two_a_minute(app: FastAPI) -> None:
    limited = TestClient(make_app(rate_limits=True))
    bundle_id = _bundles(limited)[0]["Id"]
    statuses = [limited.get("/api/v1/export/get", params={"id": bundle_id}, headers=ADMIN) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert 1 <= int(statuses[2].headers["retry-after"]) <= 60
    assert statuses[2].json()["code"] == "too_many_requests"
    assert _bundles(limited)  # listing is not limited by the download bucket


def test_unknown_bundle_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/export/get", params={"id": 1}, headers=ADMIN).status_code == 404
    assert client.get("/api/v1/export/get", headers=ADMIN).status_code == 400


def test_advancing_the_clock_reveals_new_bundles(client: TestClient) -> None:
    before = _bundles(client)
    client.post("/_sandbox/clock", json={"advance_days": 1})
    after = _bundles(client)
    assert len(after) == len(before) + 1 and after[-1]["Start"] == before[-1]["Stop"]


def test_api_events_land_in_their_bundle_and_deleted_people_leave(
    client: TestClient, state: FullStoryState
) -> None:
    bundle = _bundles(client)[2]
    when = datetime.fromtimestamp(bundle["Start"], UTC) + timedelta(hours=3)
    event = {
        "name": "Refund Issued",
        "timestamp": when.isoformat(),
        "user": {"uid": "usr-000003"},
        "properties": {"amount": 12.5},
    }
    assert client.post("/v2/events", json=event, headers=ADMIN).status_code == 200
    rows = _rows(client, bundle["Id"])
    [refund] = [row for row in rows if row.get("EventCustomName") == "Refund Issued"]
    assert refund["evt_amount_real"] == 12.5 and refund["UserAppKey"] == "usr-000003"
    victim = state.world.person(3)
    assert any(row["IndvId"] == victim.fs_user_id for row in rows)
    client.delete("/v2/users", params={"uid": victim.uid}, headers=ADMIN)
    assert all(row["IndvId"] != victim.fs_user_id for row in _rows(client, bundle["Id"]))


def test_bundle_download_streams_in_chunks() -> None:
    client = TestClient(make_app(users=40, events_per_user=400))
    bundle_id = _bundles(client)[3]["Id"]
    with client.stream("GET", "/api/v1/export/get", params={"id": bundle_id}, headers=ADMIN) as response:
        assert "content-length" not in response.headers
        chunks = list(response.iter_raw())
    assert len(chunks) > 1
    assert json.loads(gzip.decompress(b"".join(chunks)))


def test_user_events_and_pages(client: TestClient, state: FullStoryState) -> None:
    events = client.get("/api/v1/export/userEvents", params={"uid": "usr-000002"}, headers=ADMIN)
    assert events.status_code == 200 and 'filename="DataExport.json"' in events.headers["content-disposition"]
    rows = events.json()
    assert len(rows) == state.world.events_per_user and {row["UserAppKey"] for row in rows} == {"usr-000002"}
    pages = client.get(
        "/api/v1/export/userPages", params={"uid": "usr-000002"}, headers=ADMIN
    ).text.splitlines()
    assert len(pages) % 2 == 0 and "PageId" in json.loads(pages[0]) and "Events" in json.loads(pages[1])
    assert client.get("/api/v1/export/userEvents", params={"uid": "ghost"}, headers=ADMIN).status_code == 404
