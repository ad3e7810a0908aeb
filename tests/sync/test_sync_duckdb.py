"""The built-in sync into DuckDB against the in-process sandbox: incremental, exactly once, reloadable,
schema-evolving, with its loading reports and extraction logs stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb
import httpx
import pytest

from headwater.config import Settings
from headwater.connections import Connections
from headwater.connectors.transport import BorrowedTransport
from headwater.store import Database
from headwater.sync import duckdb_dest, history
from headwater.sync.runner import SyncRequest, run_sync
from headwater.sync.target import default_duckdb_path
from tests.sync.conftest import (
    CREDS,
    FULLSTORY_URL,
    T0,
    Sandbox,
    bookmark_of,
    connect_amplitude,
    connect_fullstory,
    expected_fullstory,
    loaded_fullstory,
)


def _sync(
    settings: Settings, store: Database, sandbox: Sandbox, name: str = "fs", **kwargs: Any
) -> dict[str, Any]:
    transport = sandbox.fullstory_transport if name == "fs" else sandbox.amplitude_transport
    request = SyncRequest(name, start_date=T0.date(), **kwargs)
    return run_sync(settings, request, db=store, transport=transport, now=sandbox.clock.now)


def test_three_incremental_runs_load_each_event_exactly_once(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    path = default_duckdb_path(settings.home, "fs")
    reports = []
    for day in (2, 4, 6):
        reports.append(_sync(settings, store, sandbox))
        stop = T0 + timedelta(days=day)
        assert loaded_fullstory(path) == expected_fullstory(sandbox.world, stop)
        assert bookmark_of(path, "fs") == stop.strftime("%Y-%m-%dT%H:%M:%SZ")
        sandbox.advance(days=2)

    assert [r["batches"] for r in reports] == [2, 2, 2]
    assert sum(r["rows"] for r in reports) == sum(
        expected_fullstory(sandbox.world, T0 + timedelta(days=6)).values()
    )
    assert reports[1]["bookmark_before"] == reports[0]["bookmark_after"]
    assert all(r["status"] == "succeeded" and r["tables"]["events"] == r["rows"] for r in reports)

    stored = history.runs(store, "fs")
    assert [run["id"] for run in stored] == [r["id"] for r in reversed(reports)]
    assert stored[0]["details"]["table_totals"] == {"events": sum(r["rows"] for r in reports)}
    run_id, made = history.calls(store, "fs", reports[2]["id"])
    assert run_id == reports[2]["id"]
    urls = [call["url"] for call in made]
    assert sum("/api/v1/export/list" in url for url in urls) == 1
    assert sum("/api/v1/export/get" in url for url in urls) == 2
    assert all(call["status"] == 200 and "Basic" not in call["url"] for call in made)
    # nothing new: a run with no bundles still succeeds and loads nothing
    assert _sync(settings, store, sandbox)["rows"] == 0


def test_full_refresh_reloads_everything_once(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    sandbox.advance(days=4)
    first = _sync(settings, store, sandbox)
    again = _sync(settings, store, sandbox, full_refresh=True)
    path = default_duckdb_path(settings.home, "fs")
    assert again["rows"] == first["rows"] > 0
    assert again["full_refresh"] is True and again["bookmark_before"] is None
    assert loaded_fullstory(path) == expected_fullstory(sandbox.world, T0 + timedelta(days=6))


def test_new_fields_become_new_columns(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    _sync(settings, store, sandbox)
    event = {
        "name": "Coupon Applied",
        "timestamp": (T0 + timedelta(days=2, hours=5)).isoformat(),
        "user": {"uid": sandbox.world.person(1).uid},
        "properties": {"coupon_code": "SPRING-10", "discount": 12.5},
    }
    with httpx.Client(
        transport=BorrowedTransport(sandbox.fullstory_transport), base_url=FULLSTORY_URL
    ) as api:
        api.post("/v2/events", json=event, headers={"Authorization": "Basic " + CREDS.fullstory_admin_key})

    sandbox.advance(days=1)
    report = _sync(settings, store, sandbox)
    assert report["status"] == "succeeded" and report["batches"] == 1
    con = duckdb.connect(str(default_duckdb_path(settings.home, "fs")), read_only=True)
    try:
        columns = dict(
            con.execute("SELECT column_name, data_type FROM information_schema.columns").fetchall()
        )
        coupons = con.execute(
            'SELECT "evt_coupon_code_str", "evt_discount_real" FROM fs.fs.events WHERE "EventCustomName" = ?',
            ["Coupon Applied"],
        ).fetchall()
    finally:
        con.close()
    assert columns["evt_coupon_code_str"] == "VARCHAR" and columns["evt_discount_real"] == "DOUBLE"
    assert coupons == [("SPRING-10", 12.5)]


def test_amplitude_hours_incremental_without_duplicates(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox
) -> None:
    connect_amplitude(connections, transport=sandbox.amplitude_transport)
    first = _sync(settings, store, sandbox, name="amp")
    sandbox.advance(days=1)
    second = _sync(settings, store, sandbox, name="amp")
    path = default_duckdb_path(settings.home, "amp")
    con = duckdb.connect(str(path), read_only=True)
    try:
        total, unique = con.execute(
            "SELECT count(*), count(DISTINCT uuid) FROM amp.amp.events"
        ).fetchone() or (0, 0)
        kinds = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns").fetchall())
        latest = con.execute("SELECT max(server_upload_time) FROM amp.amp.events").fetchone()
    finally:
        con.close()
    # the last complete hour, two hours of export lag before the sandbox clock's now
    last_hour = sandbox.clock.now() - timedelta(hours=3)
    expected = sum(1 for e in sandbox.world.events_between(T0, last_hour.replace(minute=0, second=0)))
    assert total == unique == first["rows"] + second["rows"] == expected
    assert second["bookmark_after"] == last_hour.strftime("%Y-%m-%dT%H:00:00Z")
    assert latest is not None and latest[0] < last_hour.replace(tzinfo=None, minute=0, second=0) + timedelta(
        hours=1
    )
    assert kinds["event_properties"] == "JSON" and kinds["user_properties"] == "JSON"
    assert first["batch_unit"] == "hours" and first["batches"] > 0


def test_unknown_connection_is_a_clear_not_found(settings: Settings, store: Database) -> None:
    from headwater.errors import NotFound

    with pytest.raises(NotFound):
        run_sync(settings, SyncRequest("nope"), db=store)


def test_a_connection_whose_provider_exports_no_events_is_refused(
    settings: Settings, store: Database, connections: Connections
) -> None:
    """Which kinds sync is the providers' to say (`ProviderSpec.events`); Slack exports nothing."""
    from headwater.errors import BadInput

    webhook = "https://hooks.slack.com/services/T0/B0/secret"
    connections.create("slack", "team", credentials={"webhook_url": webhook}, settings={}, actor="test")
    with pytest.raises(BadInput, match="'team' is a slack connection; sync supports fullstory and amplitude"):
        run_sync(settings, SyncRequest("team"), db=store)
    assert history.runs(store, "team") == []


def test_duckdb_never_draws_its_progress_bar_into_our_output(tmp_path: Any) -> None:
    """DuckDB draws a progress bar on stdout for queries over two seconds, which would break `--json`."""
    con = duckdb_dest.connect(tmp_path / "events.duckdb")
    try:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    finally:
        con.close()
