"""Segments and Segment Export: operation polling, results link, signed gzip download in three formats."""

from __future__ import annotations

import csv
import gzip
import io
import json
from typing import Any

from starlette.testclient import TestClient

from headwater.sandbox.fullstory.state import FullStoryState
from tests.sandbox.fullstory.conftest import ADMIN
from tests.waiting import wait_until

DAY_TWO = {"start": "2024-03-02T00:00:00Z", "end": "2024-03-03T00:00:00Z"}


def _export(client: TestClient, **overrides: Any) -> str:
    body = {"segmentId": "everyone", "type": "TYPE_EVENT", "format": "FORMAT_JSON", "timeRange": DAY_TWO}
    response = client.post("/segments/v1/exports", json={**body, **overrides}, headers=ADMIN)
    assert response.status_code == 200, response.text
    return str(response.json()["operationId"])


def _download(client: TestClient, operation_id: str) -> bytes:

    def finished() -> dict[str, Any] | None:
        operation: dict[str, Any] = client.get(f"/operations/v1/{operation_id}", headers=ADMIN).json()
        if operation["state"] != "PENDING":
            return operation
        assert 0 <= operation["estimatePctComplete"] < 100
        return None

    operation = wait_until(finished, timeout=30, what=f"operation {operation_id} to finish", interval=0)
    assert operation["state"] == "COMPLETED" and operation["estimatePctComplete"] == 100
    results = client.get(
        f"/search/v1/exports/{operation['results']['searchExportId']}/results", headers=ADMIN
    )
    location = results.json()["location"]
    assert results.json()["expires"].endswith("Z")
    download = client.get(location)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/gzip"
    assert "attachment; filename=" in download.headers["content-disposition"]
    return gzip.decompress(download.content)


def test_segments_list_pages(client: TestClient) -> None:
    first = client.get("/segments/v1", params={"limit": 2}, headers=ADMIN).json()
    assert first["segments"][0]["id"] == "everyone" and "created" not in first["segments"][0]
    rest = client.get(
        "/segments/v1", params={"paginationToken": first["nextPaginationToken"]}, headers=ADMIN
    ).json()
    assert "nextPaginationToken" not in rest
    assert len(first["segments"]) + len(rest["segments"]) >= 3


def test_operation_shape_while_pending(client: TestClient) -> None:
    operation_id = _export(client)
    operation = client.get(f"/operations/v1/{operation_id}", headers=ADMIN).json()
    assert operation["type"] == "SEARCH_EXPORT" and operation["state"] == "PENDING"
    assert set(operation) >= {"id", "type", "details", "results", "state", "errorDetails", "createdAt"}
    assert client.get("/operations/v1", params={"type": "SEARCH_EXPORT"}, headers=ADMIN).json()["operations"]


def test_json_export_rows_follow_time_range_on_event_start(client: TestClient, state: FullStoryState) -> None:
    rows = json.loads(_download(client, _export(client)))
    expected = list(
        state.world.events_between(state.world.start.replace(day=2), state.world.start.replace(day=3))
    )
    assert len(rows) == len(expected) > 0
    assert all("2024-03-02T" <= row["EventStart"] < "2024-03-03T" for row in rows)
    assert rows[0]["EventStart"] <= rows[-1]["EventStart"]
    assert {"IndvId", "UserId", "SessionId", "PageId", "EventType", "PageUrl", "UserEmail"} <= set(rows[0])


def test_fields_and_wildcards(client: TestClient) -> None:
    rows = json.loads(_download(client, _export(client, fields=["EventStart", "UserEmail", "evt_*"])))
    keys = set().union(*(row.keys() for row in rows))
    assert {"EventStart", "UserEmail"} <= keys
    assert all(key in ("EventStart", "UserEmail") or key.startswith("evt_") for key in keys)
    assert any(key.startswith("evt_") for key in keys)


def test_ndjson_and_csv(client: TestClient) -> None:
    lines = _download(client, _export(client, format="FORMAT_NDJSON")).decode().splitlines()
    assert all(json.loads(line)["EventType"] for line in lines)
    text = _download(client, _export(client, format="FORMAT_CSV", fields=["IndvId", "EventType", "user_*"]))
    table = list(csv.DictReader(io.StringIO(text.decode())))
    assert len(table) == len(lines)
    assert list(table[0])[:2] == ["IndvId", "EventType"]
    assert "user_plan_str" in table[0]


def test_individual_export(client: TestClient, state: FullStoryState) -> None:
    rows = json.loads(
        _download(client, _export(client, type="TYPE_INDIVIDUAL", timeRange={"start": "", "end": ""}))
    )
    assert len(rows) == state.world.users
    assert {"IndvId", "Uid", "Email", "NumSessions", "NumEvents"} <= set(rows[0])


def test_snake_case_request_is_accepted(client: TestClient) -> None:
    body = {"segment_id": "everyone", "type": "TYPE_EVENT", "format": "FORMAT_JSON", "time_range": DAY_TWO}
    assert client.post("/segments/v1/exports", json=body, headers=ADMIN).status_code == 200


def test_export_validation(client: TestClient) -> None:
    assert client.post("/segments/v1/exports", json={"type": "TYPE_EVENT"}, headers=ADMIN).status_code == 400
    bad_format = {"segmentId": "everyone", "type": "TYPE_EVENT", "format": "FORMAT_XML"}
    assert client.post("/segments/v1/exports", json=bad_format, headers=ADMIN).status_code == 400
    unknown = {"segmentId": "nope", "type": "TYPE_EVENT", "format": "FORMAT_JSON"}
    assert client.post("/segments/v1/exports", json=unknown, headers=ADMIN).status_code == 404


def test_results_before_completion_and_bad_signatures(client: TestClient, state: FullStoryState) -> None:
    operation_id = _export(client)
    export_id = next(iter(state.exports))
    assert client.get(f"/search/v1/exports/{export_id}/results", headers=ADMIN).status_code == 404
    client.get(f"/operations/v1/{operation_id}", headers=ADMIN)
    client.get(f"/operations/v1/{operation_id}", headers=ADMIN)
    location = client.get(f"/search/v1/exports/{export_id}/results", headers=ADMIN).json()["location"]
    assert client.get(location.replace("signature=", "signature=0")).status_code == 403
    client.post("/_sandbox/clock", json={"advance_seconds": 7200})
    assert client.get(location).status_code == 400


def test_deleted_user_is_not_in_a_later_download(client: TestClient, state: FullStoryState) -> None:
    operation_id = _export(client, timeRange={"start": "", "end": ""})
    victim = state.world.person(0)
    client.delete(f"/v2/users/{victim.fs_user_id}", headers=ADMIN)
    rows = json.loads(_download(client, operation_id))
    assert rows and all(row["IndvId"] != victim.fs_user_id for row in rows)
    assert all(victim.email not in json.dumps(row) for row in rows)
