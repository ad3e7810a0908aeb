"""Two real `headwater worker` processes on one store: a due schedule fires once, and its run posts once.

The store is SQLite, and PostgreSQL too when HEADWATER_TEST_DATABASE_URL is set. Each worker runs the
job system's ticker, which scans the schedules; the ticker lease and the schedule's conditional claim
together make sure that a tick becomes exactly one run.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update

from headwater.connections import Connections
from headwater.sandbox import SandboxOptions, SandboxServer, World
from headwater.store.models import utcnow
from headwater.vault import Vault, load_keyring
from headwater.workflows.service import Workflows
from headwater.workflows.slack import connect_slack
from headwater.workflows.tables import RunRow, ScheduleRow
from tests.jobs.harness import MODES, PG_URL, mode_param, open_env, store_url_for
from tests.workflows.conftest import sqlite_copy

WORKFLOW = """\
name: ticking
on:
  schedule: {cron: "*/10 * * * *", timezone: Europe/Paris}
steps:
  - id: notify
    uses: slack/post
    connection: team
    with: {text: "tick {{ run.scheduled_for }}"}
  - id: remember
    uses: set-state
    with: {last_run: "{{ run.scheduled_for }}"}
"""


#: on the real database: PostgreSQL when the tests have one, else SQLite (the threads race on both)
MODE = "embedded-postgresql" if PG_URL else "embedded-sqlite"


@pytest.mark.slow
@pytest.mark.parametrize("mode", [mode_param(MODE)])
def test_two_workers_start_a_due_schedule_once(
    mode: object,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_template: Path,
) -> None:
    chosen = MODES[str(mode)]
    url = (
        sqlite_copy(sqlite_template, tmp_path)
        if chosen.store == "sqlite"
        else store_url_for(chosen, request, tmp_path)
    )
    env = open_env(
        chosen, tmp_path, monkeypatch, url, modules="headwater.workflows.runs,headwater.workflows.schedules"
    )
    options = SandboxOptions(rate_limits=False)
    try:
        with SandboxServer(world=World(users=1, events_per_user=10), options=options) as sandbox:
            workflows = Workflows(env.db, env.queue.settings, queue=env.queue)
            connections = Connections(env.db, Vault(load_keyring(env.queue.settings)))
            connect_slack(connections, "team", SecretStr(sandbox.slack_webhook_url), test=False, actor="t")
            path = tmp_path / "ticking.yaml"
            path.write_text(WORKFLOW)
            workflows.add(path, actor="t")
            with env.db.session() as session:  # as if every worker had been down for half an hour
                session.execute(update(ScheduleRow).values(next_run_at=utcnow() - timedelta(minutes=30)))
            env.start_workers(2)

            def finished() -> bool:
                runs = workflows.runs("ticking")
                return bool(runs) and runs[-1]["status"] == "succeeded"

            env.wait_until(finished, 60, "the scheduled run to succeed")
            assert all(worker.alive() for worker in env.workers)
            with env.db.session() as session:
                assert session.scalar(select(func.count()).select_from(RunRow)) == 1
            run = workflows.runs("ticking")[0]
            assert run["trigger"] == "schedule" and run["missed"] >= 1
            messages = httpx.get(f"{sandbox.slack_url}/_sandbox/slack/messages").json()["messages"]
            assert [m["text"] for m in messages] == [f"tick {run['scheduled_for'].isoformat()}"]
            assert workflows.show("ticking")["state"] == {"last_run": run["scheduled_for"].isoformat()}
    finally:
        env.close()
