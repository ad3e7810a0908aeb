"""A `headwater sync` process killed with SIGKILL mid-run, then run again, ends with exactly the right rows:
every committed bundle came with its bookmark, so nothing is loaded twice and nothing is skipped; the raw
events the killed process left in its scratch folder are removed by the next run. And a killed run never
stays `running`: SIGTERM records it interrupted on the way out, and after SIGKILL its lease runs out,
`sync history` shows it interrupted and the sweeper records it so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from headwater.config import Settings
from headwater.connections import Connections
from headwater.sandbox import SandboxClock, SandboxOptions
from headwater.sandbox.server import SandboxServer
from headwater.store import Database
from headwater.sync import history
from headwater.sync.models import SyncRunRow
from headwater.sync.target import default_duckdb_path
from tests.sync.conftest import (
    T0,
    bookmark_of,
    connect_fullstory,
    expected_fullstory,
    loaded_fullstory,
    small_world,
)
from tests.waiting import wait_until

KILL_AFTER_DOWNLOADS = 6


def test_sigkilled_sync_resumes_with_exactly_the_right_rows(
    settings: Settings, store: Database, connections: Connections
) -> None:
    world = small_world(days=6, users=6, events_per_user=80)
    clock = SandboxClock(start=T0 + timedelta(days=6))
    options = SandboxOptions(rate_limits=False, bundle_hours=6, latency_ms=80)
    command = [
        sys.executable,
        "-m",
        "headwater",
        "sync",
        "fs",
        "--start-date",
        T0.date().isoformat(),
        "--json",
    ]
    with SandboxServer(world=world, clock=clock, options=options) as server:
        connect_fullstory(connections, base_url=server.fullstory_url)
        calls = server.fullstory_app.state.sandbox.calls
        victim = subprocess.Popen(
            command, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_until(
            lambda: (
                len(calls.calls("/api/v1/export/get")) >= KILL_AFTER_DOWNLOADS or victim.poll() is not None
            ),
            timeout=60,
            what=f"the sync to download {KILL_AFTER_DOWNLOADS} bundles",
            interval=0.02,
        )
        assert victim.poll() is None, "the sync finished before it could be killed; slow the sandbox down"
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert victim.returncode == -signal.SIGKILL
        scratch = settings.home / "sync" / "tmp"
        assert [p.name for p in scratch.iterdir() if p.name.startswith(f"{victim.pid}-")], "nothing to clean"

        path = default_duckdb_path(settings.home, "fs")
        partial = loaded_fullstory(path)
        final_stop = T0 + timedelta(days=6)
        expected = expected_fullstory(world, final_stop)
        committed = bookmark_of(path, "fs")
        assert committed is not None and committed < final_stop.strftime("%Y-%m-%dT%H:%M:%SZ")
        # what is in is exactly the bundles up to the committed bookmark: no half bundle, no duplicate
        assert partial == expected_fullstory(world, _parse(committed))

        rerun = subprocess.run(command, env=os.environ.copy(), capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert list(scratch.iterdir()) == []
    assert loaded_fullstory(path) == expected
    runs = history.runs(store, "fs")
    assert [run["status"] for run in runs] == ["succeeded", "interrupted"]
    assert runs[0]["bookmark_before"] == committed
    assert runs[0]["rows"] + sum(partial.values()) == sum(expected.values())


def _parse(value: str):  # type: ignore[no-untyped-def]
    from headwater.sync.source import parse_bookmark

    return parse_bookmark(value)


def _start_slow_sync(server: SandboxServer, connections: Connections, **env: str) -> subprocess.Popen[str]:
    connect_fullstory(connections, base_url=server.fullstory_url)
    command = [sys.executable, "-m", "headwater", "sync", "fs", "--start-date", T0.date().isoformat()]
    return subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _slow_sandbox() -> SandboxServer:
    world = small_world(days=6, users=6, events_per_user=80)
    options = SandboxOptions(rate_limits=False, bundle_hours=6, latency_ms=150)
    return SandboxServer(world=world, clock=SandboxClock(start=T0 + timedelta(days=6)), options=options)


def _wait_for_a_batch(store: Database, victim: subprocess.Popen[str]) -> int:
    def loading() -> int | None:
        runs = history.runs(store, "fs")
        if runs and runs[0]["status"] == "running" and runs[0]["batches"] >= 1:
            return int(runs[0]["id"])
        assert victim.poll() is None, "the sync ended before it could be stopped; slow the sandbox down"
        return None

    return wait_until(loading, timeout=60, what="the sync to load its first batch", interval=0.02)


def _stored(store: Database, run_id: int) -> SyncRunRow:
    with store.session() as session:
        row = session.get(SyncRunRow, run_id)
        assert row is not None
        return row


@pytest.mark.timeout(240)
def test_a_sigkilled_sync_shows_interrupted_once_its_lease_runs_out_and_the_sweeper_records_it(
    settings: Settings, store: Database, connections: Connections
) -> None:
    with _slow_sandbox() as server:
        victim = _start_slow_sync(server, connections, HEADWATER_JOBS_LEASE_SECONDS="2")
        run_id = _wait_for_a_batch(store, victim)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert _stored(store, run_id).status == "running"  # nothing could say otherwise on its way out

    def shown() -> dict[str, Any] | None:
        found = subprocess.run(
            [sys.executable, "-m", "headwater", "sync", "history", "fs", "--json"],
            capture_output=True, text=True, timeout=60, env=os.environ.copy(),
        )  # fmt: skip
        runs = json.loads(found.stdout)
        return runs[0] if runs[0]["status"] != "running" else None

    run = wait_until(shown, timeout=60, what="`sync history` to stop showing the killed run as running")
    assert (run["id"], run["status"]) == (run_id, "interrupted") and "stopped before it finished" in run[
        "error"
    ]

    swept = subprocess.run(
        [sys.executable, "-m", "headwater", "worker", "--once"],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    row = _stored(store, run_id)
    assert (row.status, row.lease_until) == ("interrupted", None) and row.finished_at is not None


@pytest.mark.timeout(240)
def test_a_sigtermed_sync_records_itself_interrupted_on_the_way_out(
    settings: Settings, store: Database, connections: Connections
) -> None:
    with _slow_sandbox() as server:  # a lease of 10 minutes: what is recorded is not its running out
        victim = _start_slow_sync(server, connections, HEADWATER_JOBS_LEASE_SECONDS="600")
        run_id = _wait_for_a_batch(store, victim)
        victim.send_signal(signal.SIGTERM)
        _, err = victim.communicate(timeout=60)
    assert victim.returncode == 128 + signal.SIGTERM, err
    assert "Stopped by SIGTERM; the run is recorded as interrupted" in " ".join(err.split())
    row = _stored(store, run_id)
    assert (row.status, row.lease_until) == ("interrupted", None)
    assert row.error == "Stopped: SIGTERM before it finished" and row.batches >= 1
