"""The PostgreSQL destination on the CI server: COPY loads, bookmark in the same transaction, incremental
runs, full refresh, JSON columns as jsonb, and a timeline read back from it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from headwater.config import Settings
from headwater.connections import Connections
from headwater.errors import Conflict
from headwater.store import Database
from headwater.sync.runner import SyncRequest, run_sync
from headwater.sync.target import parse_target
from headwater.sync.timeline import timeline
from tests.jobs.harness import shared_pg_url
from tests.sync.conftest import T0, Sandbox, connect_amplitude, connect_fullstory, expected_fullstory

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(pg_templates: Any) -> str:
    """The test process's shared database (creating one per test is slow), without the sync schemas."""
    url = "postgresql://" + shared_pg_url(pg_templates).split("://", 1)[1]  # as a user would type it
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in ("fs", "amp"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return url


def _sync(
    settings: Settings, store: Database, sandbox: Sandbox, name: str, to: str, **kw: Any
) -> dict[str, Any]:
    transport = sandbox.fullstory_transport if name == "fs" else sandbox.amplitude_transport
    request = SyncRequest(name, to=to, start_date=T0.date(), **kw)
    return run_sync(settings, request, db=store, transport=transport, now=sandbox.clock.now)


def _fullstory_rows(url: str) -> Counter[tuple[int, int, int, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            'SELECT "SessionId", "PageId", (extract(epoch from "EventStart") * 1000)::bigint, "EventType" '
            "FROM fs.events"
        ).fetchall()
    return Counter((int(a), int(b), int(c), str(d)) for a, b, c, d in rows)


def test_postgres_incremental_and_full_refresh(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox, pg_url: str
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    first = _sync(settings, store, sandbox, "fs", pg_url)
    assert _fullstory_rows(pg_url) == expected_fullstory(sandbox.world, T0 + timedelta(days=2))
    sandbox.advance(days=2)
    second = _sync(settings, store, sandbox, "fs", pg_url)
    expected = expected_fullstory(sandbox.world, T0 + timedelta(days=4))
    assert _fullstory_rows(pg_url) == expected
    assert first["rows"] + second["rows"] == sum(expected.values())
    assert second["destination"] == parse_target(pg_url, home=settings.home, connection="fs").display()

    refreshed = _sync(settings, store, sandbox, "fs", pg_url, full_refresh=True)
    assert refreshed["rows"] == sum(expected.values())
    assert _fullstory_rows(pg_url) == expected
    with psycopg.connect(pg_url) as conn:
        kinds = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'fs'"
            ).fetchall()
        )
        bookmark = conn.execute(
            "SELECT value FROM fs._headwater_bookmarks WHERE stream = 'events'"
        ).fetchone()
    assert kinds["EventStart"] == "timestamp with time zone" and kinds["SessionId"] == "bigint"
    assert bookmark == ((T0 + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ"),)

    person = sandbox.world.person(2)
    found = timeline(parse_target(pg_url, home=settings.home, connection="fs"), "fullstory", uid=person.uid)
    assert found["person"]["email"] == person.email
    assert found["events"] == sum(1 for e in sandbox.world.events(2) if e.time < T0 + timedelta(days=4))


def test_postgres_amplitude_json_columns(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox, pg_url: str
) -> None:
    connect_amplitude(connections, transport=sandbox.amplitude_transport)
    report = _sync(settings, store, sandbox, "amp", pg_url)
    with psycopg.connect(pg_url) as conn:
        total, unique = conn.execute("SELECT count(*), count(DISTINCT uuid) FROM amp.events").fetchone() or (
            0,
            0,
        )
        kind = conn.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'events' "
            "AND table_schema = 'amp' AND column_name = 'event_properties'"
        ).fetchone()
        urls = conn.execute(
            "SELECT count(*) FROM amp.events WHERE event_properties ? '[Amplitude] Page URL'"
        ).fetchone()
    assert total == unique == report["rows"] > 0
    assert kind == ("jsonb",)
    assert urls is not None and urls[0] > 0


def test_a_second_writer_is_refused(settings: Settings, pg_url: str) -> None:
    from headwater.sync.postgres_dest import PostgresDestination

    target = parse_target(pg_url, home=settings.home, connection="fs")
    settings.home.mkdir(parents=True, exist_ok=True)
    with PostgresDestination(target, settings.home), pytest.raises(Conflict):
        PostgresDestination(target, settings.home)
