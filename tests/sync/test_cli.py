"""`headwater sync`, `sync history`, `sync log` and `headwater timeline` as a person runs them, against the
sandbox on loopback: JSON for machines, readable output for people, documented exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner, Result

from headwater.cli.main import app
from headwater.connections import Connections
from headwater.sandbox import SandboxClock, SandboxOptions
from headwater.sandbox.server import SandboxServer
from tests.sync.conftest import T0, connect_fullstory, small_world


def headwater(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def server(connections: Connections) -> Iterator[SandboxServer]:
    world = small_world(days=3, users=5, events_per_user=40)
    options = SandboxOptions(rate_limits=False)
    with SandboxServer(
        world=world, clock=SandboxClock(start=T0 + timedelta(days=3)), options=options
    ) as running:
        connect_fullstory(connections, base_url=running.fullstory_url)
        yield running


def test_sync_history_log_and_timeline(server: SandboxServer) -> None:
    synced = headwater("sync", "fs", "--start-date", T0.date().isoformat(), "--json")
    assert synced.exit_code == 0, synced.output
    report = json.loads(synced.output)
    total = sum(1 for _ in server.world.events_between(T0, T0 + timedelta(days=3)))
    assert (report["status"], report["rows"], report["batches"]) == ("succeeded", total, 3)
    assert report["tables"] == {"events": total} and report["batch_unit"] == "bundles"

    readable = headwater("sync", "run", "fs")
    assert readable.exit_code == 0, readable.output
    assert "Loading report: fs" in readable.output and "0 (nothing new)" in readable.output

    runs = json.loads(headwater("sync", "history", "fs", "--json").output)
    assert [run["rows"] for run in runs] == [0, total]
    assert "Sync runs of fs" in headwater("sync", "history", "fs").output

    log = json.loads(headwater("sync", "log", "fs", "--run", str(report["id"]), "--json").output)
    paths = [call["url"].split("?")[0].removeprefix(server.fullstory_url) for call in log["calls"]]
    assert paths == ["/api/v1/export/list"] + ["/api/v1/export/get"] * 3
    assert headwater("sync", "log", "fs").exit_code == 0

    person = server.world.person(1)
    shown = headwater("timeline", "fs", "--email", person.email, "--json")
    assert shown.exit_code == 0, shown.output
    timeline = json.loads(shown.output)
    mine = [e for e in server.world.events(1) if e.time < T0 + timedelta(days=3)]
    assert timeline["events"] == len(mine) and timeline["person"]["uid"] == person.uid
    sessions = timeline["sessions"]
    assert [s["session"] for s in sessions] == list(dict.fromkeys(str(e.session_id) for e in mine))
    times = [event["time"] for s in sessions for page in s["pages"] for event in page["events"]]
    assert times == sorted(times)

    one = sessions[0]["session"]
    narrowed = json.loads(headwater("timeline", "fs", "--uid", person.uid, "--session", one, "--json").output)
    assert [s["session"] for s in narrowed["sessions"]] == [one]
    tree = headwater("timeline", "fs", "--uid", person.uid)
    assert tree.exit_code == 0 and f"Session {one}" in tree.output


def test_exit_codes(server: SandboxServer) -> None:
    assert headwater("sync", "nope").exit_code == 3
    assert headwater("sync", "fs", "--start-date", "03/02/2026").exit_code == 2
    assert headwater("sync", "fs", "--to", "mysql://x/y").exit_code == 2
    assert headwater("sync", "log", "fs").exit_code == 3  # no run yet
    assert headwater("timeline", "fs", "--email", "a@b.c", "--uid", "u").exit_code == 2
    assert headwater("sync", "fs", "--start-date", T0.date().isoformat()).exit_code == 0
    assert headwater("timeline", "fs", "--email", "nobody@example.com").exit_code == 3


def test_too_little_memory_fails_with_what_to_do_and_a_rerun_loads_everything(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEADWATER_SYNC_MEMORY", "1MB")  # too little for DuckDB to read a bundle at all
    starved = headwater("sync", "fs", "--start-date", T0.date().isoformat())
    assert starved.exit_code != 0 and "HEADWATER_SYNC_MEMORY=1MB" in starved.output
    monkeypatch.setenv("HEADWATER_SYNC_MEMORY", "lots")
    refused = headwater("sync", "fs")
    assert refused.exit_code == 2 and "224MB or 1GB" in refused.output

    monkeypatch.delenv("HEADWATER_SYNC_MEMORY")
    synced = headwater("sync", "fs", "--start-date", T0.date().isoformat(), "--json")
    assert synced.exit_code == 0, synced.output
    total = sum(1 for _ in server.world.events_between(T0, T0 + timedelta(days=3)))
    assert json.loads(synced.output)["tables"] == {"events": total}
