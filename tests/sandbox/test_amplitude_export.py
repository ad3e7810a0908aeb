"""Export API contract: validation, hour selection by server_upload_time (end hour included), the ZIP layout,
the row format, and freshly ingested data showing up."""

from __future__ import annotations

import asyncio
import re
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from headwater.sandbox.amplitude.zipstream import stream_zip
from tests.sandbox.amplitude_support import PROJECT, WORLD_END, make_amp, unzip_export

ENTRY = re.compile(r"^(\d+)/\1_(\d{4}-\d{2}-\d{2})_(\d{1,2})#(\d+)\.json\.gz$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")
ROW_KEYS = {
    "app",
    "amplitude_id",
    "user_id",
    "device_id",
    "event_type",
    "event_id",
    "uuid",
    "$insert_id",
    "session_id",
    "event_time",
    "client_event_time",
    "client_upload_time",
    "server_received_time",
    "server_upload_time",
    "processed_time",
    "event_properties",
    "user_properties",
    "group_properties",
    "groups",
    "data",
    "ip_address",
    "country",
    "city",
    "region",
    "dma",
    "location_lat",
    "location_lng",
    "platform",
    "os_name",
    "os_version",
    "device_type",
    "device_family",
    "device_carrier",
    "language",
    "library",
    "version_name",
    "start_version",
    "paying",
    "amplitude_attribution_ids",
    "sample_rate",
}


def test_a_day_exports_as_zip_of_hourly_gzipped_ndjson() -> None:
    amp = make_amp()
    response = amp.client.get(
        "/api/2/export", params={"start": "20250301T00", "end": "20250301T23"}, headers=PROJECT
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.content[:2] == b"PK"
    entries = unzip_export(response.content)
    app_id = str(amp.state.settings.app_id)
    hours = set()
    for name, rows in entries.items():
        match = ENTRY.match(name)
        assert match, name
        assert match.group(1) == app_id and match.group(2) == "2025-03-01" and match.group(4) == "0"
        assert not match.group(3).startswith("0") or match.group(3) == "0"  # hours are not zero-padded
        hours.add(int(match.group(3)))
        for row in rows:
            assert set(row) >= ROW_KEYS
            assert row["app"] == amp.state.settings.app_id
            assert row["server_upload_time"].startswith(f"2025-03-01 {int(match.group(3)):02d}:")
            for key in ("event_time", "server_upload_time", "client_event_time", "processed_time"):
                assert TIMESTAMP.match(row[key]), row[key]
    expected = [
        event
        for event in amp.world.events_between(
            datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
        )
    ]
    assert sum(len(rows) for rows in entries.values()) == len(expected)
    assert hours == {event.time.hour for event in expected}


def test_the_end_hour_is_included() -> None:
    amp = make_amp(users=12)
    event = next(amp.world.events_between(datetime(2025, 3, 1, tzinfo=UTC), WORLD_END))
    hour = event.time.replace(minute=0, second=0, microsecond=0)
    label = f"{hour:%Y%m%dT%H}"
    response = amp.client.get("/api/2/export", params={"start": label, "end": label}, headers=PROJECT)
    entries = unzip_export(response.content)
    assert {name.rsplit("_", 1)[1].split("#")[0] for name in entries} == {str(hour.hour)}
    expected = list(amp.world.events_between(hour, hour + timedelta(hours=1)))
    assert sum(len(rows) for rows in entries.values()) == len(expected)


def test_an_empty_range_is_a_404() -> None:
    amp = make_amp()
    response = amp.client.get(
        "/api/2/export", params={"start": "20240101T00", "end": "20240101T05"}, headers=PROJECT
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"start": "20250301T00"},
        {"start": "2025-03-01T00", "end": "20250301T05"},
        {"start": "20250301T25", "end": "20250301T05"},
        {"start": "20250302T00", "end": "20250301T05"},
        {"start": "20240101T00", "end": "20250102T00"},
    ],
)
def test_invalid_ranges_are_a_400(params: dict[str, str]) -> None:
    amp = make_amp()
    assert amp.client.get("/api/2/export", params=params, headers=PROJECT).status_code == 400


def test_a_full_year_is_allowed() -> None:
    amp = make_amp(users=1, events_per_user=5)
    assert (
        amp.client.get(
            "/api/2/export", params={"start": "20240316T00", "end": "20250315T00"}, headers=PROJECT
        ).status_code
        == 200
    )


def test_busy_hours_are_split_into_numbered_parts() -> None:
    amp = make_amp()
    amp.state.settings.export_rows_per_part = 2
    amp.ingest(
        [{"event_type": f"Tick {n}", "user_id": "parts@example.com", "time": 1742000000000} for n in range(5)]
    )
    entries = unzip_export(
        amp.client.get(
            "/api/2/export", params={"start": "20250315T00", "end": "20250315T00"}, headers=PROJECT
        ).content
    )
    app_id = amp.state.settings.app_id
    assert sorted(entries) == [f"{app_id}/{app_id}_2025-03-15_0#{n}.json.gz" for n in range(3)]
    assert [len(entries[name]) for name in sorted(entries)] == [2, 2, 1]


def test_ingested_events_appear_by_upload_hour_not_event_time() -> None:
    amp = make_amp()
    amp.advance(0.5)  # 2025-03-15 12:00
    old_event_ms = int(datetime(2025, 1, 2, 3, tzinfo=UTC).timestamp() * 1000)
    response = amp.ingest(
        [
            {
                "event_type": "Late Upload",
                "user_id": "late@example.com",
                "time": old_event_ms,
                "insert_id": "late-1",
            }
        ]
    )
    assert response.status_code == 200
    assert (
        amp.client.get(
            "/api/2/export", params={"start": "20250102T03", "end": "20250102T03"}, headers=PROJECT
        ).status_code
        == 404
    )
    entries = unzip_export(
        amp.client.get(
            "/api/2/export", params={"start": "20250315T12", "end": "20250315T12"}, headers=PROJECT
        ).content
    )
    (rows,) = entries.values()
    (row,) = rows
    assert row["event_type"] == "Late Upload"
    assert row["event_time"] == "2025-01-02 03:00:00.000000"
    assert row["server_upload_time"] == "2025-03-15 12:00:00.000000"
    assert row["$insert_id"] == "late-1"
    assert row["data"]["path"] == "/2/httpapi"


def test_events_after_the_clock_do_not_exist_yet() -> None:
    midday = datetime(2025, 3, 1, 12, tzinfo=UTC)
    amp = make_amp(users=12, now=midday)
    params = {"start": "20250301T00", "end": "20250301T23"}
    before = unzip_export(amp.client.get("/api/2/export", params=params, headers=PROJECT).content)
    times = [row["event_time"] for rows in before.values() for row in rows]
    assert times and max(times) <= "2025-03-01 12:00:00.000000"
    amp.advance(1)
    after = unzip_export(amp.client.get("/api/2/export", params=params, headers=PROJECT).content)
    assert sum(map(len, after.values())) > sum(map(len, before.values()))


@pytest.mark.parametrize("status", [400, 504])
def test_forced_failures_for_client_error_handling(status: int) -> None:
    amp = make_amp()
    amp.state.settings.export_force_status = status
    assert (
        amp.client.get(
            "/api/2/export", params={"start": "20250301T00", "end": "20250301T01"}, headers=PROJECT
        ).status_code
        == status
    )


def test_the_zip_is_streamed_in_chunks() -> None:
    """The body leaves in many ASGI messages rather than one buffered blob."""
    amp = make_amp(users=12, events_per_user=400)
    query = b"start=20250215T00&end=20250315T00"
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/2/export",
        "raw_path": b"/api/2/export",
        "query_string": query,
        "headers": [(b"authorization", PROJECT["Authorization"].encode())],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
    }
    sent: list[MutableMapping[str, Any]] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(amp.app(scope, receive, send))
    start, *bodies = sent
    assert start["status"] == 200
    assert b"content-length" not in dict(start["headers"])
    assert len([message for message in bodies if message.get("body")]) > 2
    content = b"".join(message.get("body", b"") for message in bodies)
    assert sum(map(len, unzip_export(content).values())) == 12 * 400


def test_an_hour_that_comes_back_goes_into_its_next_part() -> None:
    """A source only nearly in hour order must still give unique entry names."""
    ten, eleven = datetime(2025, 3, 1, 10, tzinfo=UTC), datetime(2025, 3, 1, 11, tzinfo=UTC)
    lines = [(ten, '{"n":1}'), (eleven, '{"n":2}'), (ten, '{"n":3}')]
    entries = unzip_export(b"".join(stream_zip(iter(lines), 7, 100)))
    assert entries == {
        "7/7_2025-03-01_10#0.json.gz": [{"n": 1}],
        "7/7_2025-03-01_11#0.json.gz": [{"n": 2}],
        "7/7_2025-03-01_10#1.json.gz": [{"n": 3}],
    }
