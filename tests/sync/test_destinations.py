"""Named destinations and where a sync request loads: an admin's URL (its password in the vault), a URL
from the shell, or the default — and never a URL carried by a job."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import headwater
from headwater.cli.main import app
from headwater.config import Settings
from headwater.connections import Connections
from headwater.errors import BadInput, Conflict, NotFound
from headwater.store import Database, audit
from headwater.store.models import SecretRow
from headwater.sync.destinations import Destinations
from headwater.sync.job import request_from
from headwater.sync.models import SyncDestinationRow
from headwater.sync.runner import SyncRequest, run_sync
from headwater.sync.target import default_duckdb_path
from tests.sync.conftest import T0, Sandbox, connect_fullstory, expected_fullstory, loaded_fullstory

PASSWORD = "s3cret-Pass/word"
PACKAGE = Path(headwater.__file__).parent


@pytest.fixture
def destinations(connections: Connections) -> Destinations:
    return Destinations(connections.db, connections.vault)


def test_a_password_goes_to_the_vault_and_is_listed_masked(
    destinations: Destinations, store: Database
) -> None:
    info = destinations.add("wh", f"postgresql://loader:{PASSWORD}@db.internal:5432/events", actor="ann")
    assert info.url == "postgresql://loader:***@db.internal:5432/events"
    assert [d.name for d in destinations.list_all()] == ["wh"]
    with store.session() as session:
        row = session.scalars(select(SyncDestinationRow)).one()
        assert row.location == "postgresql://loader@db.internal:5432/events" and row.secret_ref
        assert PASSWORD.encode() not in session.get(SecretRow, row.secret_ref).ciphertext  # type: ignore[union-attr]
        dumped = json.dumps(
            [list(r) for r in session.execute(text("SELECT * FROM audit_log")).all()], default=str
        )
    assert PASSWORD not in dumped
    target = destinations.target("wh", connection="fs")
    assert target.kind == "postgresql" and make_url(target.location).password == PASSWORD
    assert "s3cret" not in repr(target) and "s3cret" not in target.display()
    apart = destinations.add(
        "wh2", "postgresql://loader@db.internal/events", actor="ann", password=SecretStr("pw")
    )
    assert apart.url == "postgresql://loader:***@db.internal/events"
    with pytest.raises(Conflict):
        destinations.add("wh", "duckdb:///tmp/x.duckdb", actor="ann")
    for bad in ("postgresql://u@h/db?password=x", "mysql://u@h/db", ""):
        with pytest.raises(BadInput):
            destinations.add("other", bad, actor="ann")
    destinations.remove("wh", actor="ann")
    with store.session() as session:
        assert session.scalars(select(SecretRow.id).where(SecretRow.id == row.secret_ref)).first() is None
        assert [e.action for e in audit.trail(session, "destination", "wh")] == [
            "destination.added",
            "destination.removed",
        ]
    with pytest.raises(NotFound):
        destinations.target("wh", connection="fs")


def test_nothing_is_loaded_inside_the_installed_package(
    destinations: Destinations, settings: Settings, tmp_path: Path
) -> None:
    inside = f"duckdb://{PACKAGE / 'web' / 'static' / 'events.duckdb'}"
    with pytest.raises(BadInput, match="never writes inside"):
        destinations.add("pkg", inside, actor="ann")
    with pytest.raises(BadInput, match="never writes inside"):
        destinations.resolve(inside, None, home=settings.home, connection="fs")
    with pytest.raises(BadInput, match="not both"):
        destinations.resolve(f"duckdb://{tmp_path / 'a.duckdb'}", "lake", home=settings.home, connection="fs")
    default = destinations.resolve(None, None, home=settings.home, connection="fs")
    assert default.location == str(default_duckdb_path(settings.home, "fs"))


def test_a_job_names_its_destination_and_never_carries_a_url() -> None:
    with pytest.raises(BadInput, match="never a URL"):
        request_from({"connection": "fs", "to": "postgresql://attacker.example/x"})
    assert request_from({"connection": "fs", "destination": "lake"}).destination == "lake"
    assert request_from({"connection": "fs", "to": None}).destination is None


def test_a_sync_loads_into_a_named_destination(
    sandbox: Sandbox, settings: Settings, connections: Connections, destinations: Destinations, tmp_path: Path
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    lake = tmp_path / "lake" / "events.duckdb"
    destinations.add("lake", f"duckdb://{lake}", actor="ann")
    request = SyncRequest("fs", destination="lake", start_date=T0.date())
    report = run_sync(settings, request, db=connections.db, transport=sandbox.fullstory_transport)
    assert report["status"] == "succeeded" and report["destination"] == f"duckdb://{lake}"
    assert loaded_fullstory(lake) == expected_fullstory(sandbox.world, T0 + timedelta(days=2))
    assert not default_duckdb_path(settings.home, "fs").exists()


def test_the_cli_manages_destinations_and_syncs_into_one(
    sandbox: Sandbox, connections: Connections, tmp_path: Path
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    cli = CliRunner()
    added = cli.invoke(
        app,
        ["destinations", "add", "wh", "postgresql://loader@db.internal/events", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output and "loader:***@db.internal" in added.output
    lake = tmp_path / "lake.duckdb"
    assert cli.invoke(app, ["destinations", "add", "lake", f"duckdb://{lake}"]).exit_code == 0
    listed = cli.invoke(app, ["destinations", "list", "--json"])
    assert [d["name"] for d in json.loads(listed.output)] == ["lake", "wh"] and PASSWORD not in listed.output
    assert "loader:***@" in cli.invoke(app, ["destinations", "list"]).output
    twice = cli.invoke(app, ["destinations", "add", "lake", f"duckdb://{lake}"])
    assert twice.exit_code == 2 and "already exists" in twice.output
    assert cli.invoke(app, ["sync", "fs", "--destination", "nope"]).exit_code == 3
    both = cli.invoke(app, ["sync", "fs", "--destination", "lake", "--to", f"duckdb://{lake}"])
    assert both.exit_code == 2 and "not both" in both.output
    assert cli.invoke(app, ["destinations", "remove", "wh"]).exit_code == 0
    assert cli.invoke(app, ["destinations", "remove", "wh"]).exit_code == 3


def test_a_password_on_the_command_line_is_refused_for_a_destination_and_warned_about_elsewhere(
    sandbox: Sandbox, connections: Connections, destinations: Destinations
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    cli = CliRunner()
    for url in (
        f"postgresql://loader:{PASSWORD}@db.internal/events",
        f"postgresql://loader@h/db?password={PASSWORD}",
    ):
        refused = cli.invoke(app, ["destinations", "add", "wh", url])
        assert refused.exit_code == 2, refused.output
        said = " ".join(refused.output.split())  # the console wraps long lines
        assert "read with `ps`" in said and "--password-stdin" in said
        assert PASSWORD not in refused.output
    assert destinations.list_all() == []
    unreachable = f"postgresql://loader:{PASSWORD}@127.0.0.1:1/events"
    for command in (["sync", "fs", "--to", unreachable], ["discover", "scan", "fs", "--from", unreachable]):
        warned = " ".join(cli.invoke(app, command).stderr.split())
        assert "holds a password, which other users of this machine can read with `ps`" in warned, command
        assert "PGPASSWORD" in warned and "named destination" in warned
    quiet = cli.invoke(app, ["sync", "fs", "--to", "postgresql://loader@127.0.0.1:1/events"])
    assert "ps" not in quiet.stderr
