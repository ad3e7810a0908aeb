"""What the workflow tests share: the lab, ground truth from the world, and workflow files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from headwater.config import Settings, load_settings
from headwater.connections import Connections
from headwater.jobs import EmbeddedWorker, JobQueue, load_job_settings, open_queue
from headwater.sandbox import SandboxClock, SandboxOptions, SandboxServer, World
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.vault import Vault, load_keyring
from headwater.workflows.service import Workflows
from headwater.workflows.slack import connect_slack
from headwater.workflows.tables import WorkflowRow

ACTOR = "tester"


@contextmanager
def sandbox_server(
    now: datetime, *, history: timedelta, events_per_user: int, users: int = 4, ahead: timedelta | None = None
) -> Iterator[SandboxServer]:
    """People whose sessions span `history` before `now` and go on after it: advancing the frozen clock
    makes new sessions appear."""
    world = World(
        seed=11,
        users=users,
        events_per_user=events_per_user,
        start=now - history,
        end=now + (ahead or timedelta(days=10)),
    )
    options = SandboxOptions(rate_limits=False)
    with SandboxServer(world=world, clock=SandboxClock(now), options=options) as server:
        yield server


@dataclass
class Lab:
    server: SandboxServer | None  # None: a store-only lab, for steps that call no provider
    db: Database
    settings: Settings
    connections: Connections
    queue: JobQueue
    workflows: Workflows
    folder: Path

    @property
    def sandbox(self) -> SandboxServer:
        assert self.server is not None, "this lab has no sandbox"
        return self.server

    @property
    def world(self) -> World:
        return self.sandbox.world

    def slack_messages(self) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.sandbox.slack_url}/_sandbox/slack/messages").json()
        return list(answer["messages"])

    def force_slack(
        self, code: str, *, count: int = 1, channel: str | None = None, retry_after: int = 1
    ) -> None:
        body = {"code": code, "count": count, "retry_after": retry_after, "channel": channel}
        httpx.post(f"{self.sandbox.slack_url}/_sandbox/slack/errors", json=body).raise_for_status()

    def new_hook(self, channel: str) -> str:
        answer = httpx.post(f"{self.sandbox.slack_url}/_sandbox/slack/hooks", json={"channel": channel})
        return str(answer.json()["url"])

    def session_calls(self) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.sandbox.fullstory_url}/_sandbox/calls", params={"path": "/sessions/v2"})
        return list(answer.json()["calls"])

    def add(self, text: str, name: str = "wf.yaml") -> dict[str, Any]:
        path = self.folder / name
        path.write_text(text)
        return self.workflows.add(path, actor=ACTOR)

    def state(self, name: str) -> dict[str, Any]:
        with self.db.session() as session:
            row = session.scalars(select(WorkflowRow).where(WorkflowRow.name == name)).one()
            return dict(row.state)

    def work(self) -> None:
        """Run every due job in this process (a worker without a ticker)."""
        EmbeddedWorker(self.queue, ticker=False).run(once=True)


def make_lab(db: Database, server: SandboxServer | None) -> Lab:
    settings = load_settings()
    connections = Connections(db, Vault(load_keyring(settings)))
    if server is not None:
        connections.create(
            "fullstory",
            "fs",
            credentials={"api_key": server.credentials.fullstory_admin_key},
            settings={"base_url": server.fullstory_url},
            actor=ACTOR,
        )
        connect_slack(connections, "team", SecretStr(server.slack_webhook_url), test=False, actor=ACTOR)
    queue = open_queue(db, settings, load_job_settings(backoff_seconds=0, lease_seconds=30))
    clock = server.clock.now if server is not None else utcnow
    workflows = Workflows(db, settings, queue=queue, connections=connections, clock=clock)
    folder = settings.home / "files"
    folder.mkdir(parents=True, exist_ok=True)
    return Lab(server, db, settings, connections, queue, workflows, folder)


def new_sessions(world: World, index: int, after: datetime, before: datetime) -> int:
    """Ground truth: sessions of person `index` in (after, before], compared in whole seconds as the API
    gives `createdTime`."""
    low, high = after.timestamp(), before.timestamp()
    return sum(1 for s in world.sessions(index) if low < int(s.start.timestamp()) <= high)


def steps_yaml(steps: str, *, name: str = "wf", extra: str = "") -> str:
    """A manual workflow around `steps` (YAML, indented by two spaces)."""
    return f"name: {name}\non:\n  manual: true\n{extra}steps:\n{steps}"
