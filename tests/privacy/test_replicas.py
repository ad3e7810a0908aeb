"""Headwater's own copies obey a delete request, end to end against the sandbox: the replicas a sync wrote
(DuckDB and PostgreSQL) lose the person's rows as soon as the ticket starts, and no sync loads them
back while the deletion is pending, nor after it completes."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from sqlalchemy import update

from headwater.config import load_settings
from headwater.jobs import EmbeddedWorker
from headwater.jobs.models import QUEUED, JobRow
from headwater.sandbox import SandboxOptions, SandboxServer, World
from headwater.sandbox.world.model import Person
from headwater.store.models import utcnow
from headwater.sync import erasing, replicas
from headwater.sync.providers import event_export
from headwater.sync.runner import SyncRequest, run_sync
from tests.jobs.harness import shared_pg_url
from tests.privacy.conftest import Desk
from tests.waiting import wait_until

#: where each provider's rows name a person, as the test reads them back on its own
PERSON_SQL = {
    "fs": 'lower("UserEmail") = lower(?) OR CAST("UserId" AS {text}) = ?',
    "amp": "user_id = ? OR CAST(amplitude_id AS {text}) = ?",
}


def _person_params(name: str, person: Person) -> list[Any]:
    return (
        [person.email, str(person.fs_user_id)] if name == "fs" else [person.email, str(person.amplitude_id)]
    )


def duck_rows(path: Path, name: str, person: Person) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        where = PERSON_SQL[name].format(text="VARCHAR")
        row = con.execute(
            f'SELECT count(*) FROM "{path.stem}"."{name}".events WHERE {where}', _person_params(name, person)
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def pg_rows(url: str, name: str, person: Person) -> int:
    where = PERSON_SQL[name].format(text="TEXT").replace("?", "%s")
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM {name}.events WHERE {where}", _person_params(name, person)
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """Three days of a small world: every Amplitude hour is a batch, so fewer hours keep syncs quick."""
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    world = World(users=12, events_per_user=60, start=end - timedelta(days=3), end=end)
    with SandboxServer(world=world, options=SandboxOptions(rate_limits=False)) as server:
        yield server


@pytest.fixture
def replica_pg(pg_templates: Any) -> Iterator[str]:
    """A PostgreSQL database to replicate into, without the connections' schemas."""
    url = "postgresql://" + shared_pg_url(pg_templates).split("://", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in ("fs", "amp"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    yield url


def sync(desk: Desk, name: str, to: str, *, full_refresh: bool = False) -> dict[str, Any]:
    request = SyncRequest(name, to=to, start_date=desk.sandbox.world.start.date(), full_refresh=full_refresh)
    return run_sync(load_settings(), request, db=desk.privacy.db, now=desk.sandbox.clock.now)


@pytest.mark.postgres
def test_a_delete_empties_every_replica_and_no_sync_loads_the_person_back(
    desk: Desk, tmp_path: Path, replica_pg: str
) -> None:
    duck = tmp_path / "replica.duckdb"
    places = {"duckdb": f"duckdb://{duck}", "postgresql": replica_pg}
    for name in ("fs", "amp"):
        for to in places.values():
            assert sync(desk, name, to)["rows"] > 0
    person = desk.sandbox.world.person(5)
    held = {
        (name, place): duck_rows(duck, name, person)
        if place == "duckdb"
        else pg_rows(replica_pg, name, person)
        for name in ("fs", "amp")
        for place in places
    }
    assert all(n > 0 for n in held.values()), held
    for replica in replicas.of_connections(desk.privacy.db, desk.privacy.connections.vault, ["fs", "amp"]):
        by_email = {"email": frozenset({person.email.upper()})}  # emails match whatever their case
        place = replica.target.kind
        assert (
            erasing.count(replica, event_export(replica.kind).person, by_email)
            == held[(replica.connection, place)]
        )

    ticket = desk.create(email=person.email)
    replica_tasks = [t for t in ticket["tasks"] if t["provider"] == "replica"]
    assert sorted((t["connection"], t["counts"]["replica"].split(":")[0]) for t in replica_tasks) == [
        ("amp", "duckdb"),
        ("amp", "postgresql"),
        ("fs", "duckdb"),
        ("fs", "postgresql"),
    ]
    desk.drain()

    shown = desk.show(ticket["id"])
    assert shown["status"] == "waiting"  # Amplitude takes weeks; the replicas did not wait for it
    for task in (t for t in shown["tasks"] if t["provider"] == "replica"):
        place = "duckdb" if task["counts"]["replica"].startswith("duckdb") else "postgresql"
        assert task["status"] == "completed" and task["records"] == held[(task["connection"], place)], task
    for name in ("fs", "amp"):
        assert duck_rows(duck, name, person) == 0 and pg_rows(replica_pg, name, person) == 0

    # Amplitude still exports the person while its deletion job runs: a full refresh drops them
    for to in places.values():
        report = sync(desk, "amp", to, full_refresh=True)
        assert report["suppressed"] == held[("amp", "duckdb")] and report["rows"] > 0
    assert duck_rows(duck, "amp", person) == 0 and pg_rows(replica_pg, "amp", person) == 0

    desk.sandbox.clock.advance(days=21)  # FullStory purged, Amplitude's job done
    assert desk.privacy.refresh(ticket["id"], actor="officer")["status"] == "completed"
    for name in ("fs", "amp"):
        for to in places.values():
            sync(desk, name, to, full_refresh=True)  # within 90 days of the deletion: still suppressed
        assert duck_rows(duck, name, person) == 0 and pg_rows(replica_pg, name, person) == 0

    expected = sorted(
        f"replica {name} → {display}: {held[(name, place)]} rows erased"
        for name in ("fs", "amp")
        for place, display in (("duckdb", f"duckdb://{duck}"), ("postgresql", replica_pg))
    )
    erased = [e for e in desk.privacy.audit(ticket["id"]) if e["action"] == "dsr.replica_erased"]
    assert sorted(e["message"] for e in erased) == [line + "." for line in expected]
    package = zipfile.ZipFile(
        desk.privacy.package(ticket["id"], tmp_path / "evidence.zip", actor="officer")["path"]
    )
    summaries = [e["summary"] for e in json.loads(package.read("evidence/erasures.json"))]
    assert sorted(s for s in summaries if s.startswith("replica")) == expected
    assert json.loads(package.read("manifest.json"))["erasures"] == summaries


def test_a_replica_that_cannot_be_reached_fails_its_task_with_the_reason_and_a_retry_erases_it(
    desk: Desk, tmp_path: Path
) -> None:
    duck = tmp_path / "fs.duckdb"
    sync(desk, "fs", f"duckdb://{duck}")
    person = desk.sandbox.world.person(3)
    held = duck_rows(duck, "fs", person)
    moved = duck.rename(tmp_path / "elsewhere.duckdb")

    ticket = desk.create(email=person.email, connections=["fs"])
    desk.drain()
    [replica] = [t for t in desk.show(ticket["id"])["tasks"] if t["provider"] == "replica"]
    assert replica["status"] == "failed" and f"The replica file {duck} is gone." in replica["last_error"]
    assert desk.task(ticket["id"], "fs")["status"] == "waiting"  # FullStory goes on meanwhile

    moved.rename(duck)
    desk.privacy.retry(ticket["id"], actor="officer")
    desk.drain()
    [replica] = [t for t in desk.show(ticket["id"])["tasks"] if t["provider"] == "replica"]
    assert replica["status"] == "completed" and replica["records"] == held > 0
    assert duck_rows(duck, "fs", person) == 0
    desk.sandbox.clock.advance(days=2)
    assert desk.privacy.refresh(ticket["id"], actor="officer")["status"] == "completed"


def test_a_replica_being_loaded_is_erased_once_the_load_is_over(desk: Desk, tmp_path: Path) -> None:
    duck = tmp_path / "fs.duckdb"
    sync(desk, "fs", f"duckdb://{duck}")
    person = desk.sandbox.world.person(4)
    [place] = replicas.of_connections(desk.privacy.db, desk.privacy.connections.vault, ["fs"])
    with replicas.loading(place.target):  # as a sync of this process holds it while it loads
        ticket = desk.create(email=person.email, connections=["fs"])

        def replica_task() -> dict[str, Any]:
            EmbeddedWorker(desk.privacy.queue, concurrency=1).run(once=True)
            return next(t for t in desk.show(ticket["id"])["tasks"] if t["provider"] == "replica")

        wait_until(
            lambda: "waiting for the sync" in (replica_task()["last_error"] or ""),
            timeout=30,
            what="the erase to wait for the load",
        )
        assert replica_task()["status"] == "pending" and duck_rows(duck, "fs", person) > 0
    with desk.privacy.db.session() as session:  # the job's next try is due now rather than in 15 s
        session.execute(update(JobRow).where(JobRow.status == QUEUED).values(run_at=utcnow()))
    desk.drain()
    assert replica_task()["status"] == "completed" and duck_rows(duck, "fs", person) == 0
