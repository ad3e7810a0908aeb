"""The end-to-end demo behind `make demo`: every feature shown against the sandbox, no account needed.

Each step is a plain function taking the shared `DemoRun`; features append their step to `STEPS`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.rule import Rule

from headwater.config import Settings, load_settings
from headwater.connections import Connections
from headwater.discovery.demo import step_discovery
from headwater.key_rotation import rotate_master_key
from headwater.outbound import SETTING as OUTBOUND_ALLOW
from headwater.privacy.demo import ensure_connections, step_privacy
from headwater.sandbox import SandboxServer, World
from headwater.store import Database
from headwater.sync.demo import step_replication
from headwater.vault import Vault, load_keyring, mask
from headwater.web.demo import step_web
from headwater.workflows.demo import step_workflows


@dataclass
class DemoRun:
    home: Path
    console: Console
    settings: Settings
    db: Database
    sandbox: SandboxServer
    facts: dict[str, Any] = field(default_factory=dict)


def step_store_and_vault(run: DemoRun) -> None:
    vault = Vault(load_keyring(run.settings))
    with run.db.session() as session:
        ref = vault.put(session, "demo-secret-value-0123456789")
    run.console.print(
        f"Store ready at {run.settings.effective_database_url} "
        f"(schema {', '.join(sorted(run.db.current_revisions()))})."
    )
    result = rotate_master_key(run.settings, run.db)
    with run.db.session() as session:
        value = Vault(load_keyring(run.settings)).get(session, ref)
    run.console.print(
        f"Vault: stored a credential encrypted, rotated the master key ({result.secrets_rewritten} secret "
        f"re-encrypted) and read it back as {mask(value)}."
    )


def step_sandbox(run: DemoRun) -> None:
    sandbox = run.sandbox
    run.console.print(
        f"FullStory emulator: {sandbox.fullstory_url}   Amplitude emulator: {sandbox.amplitude_url}"
    )
    auth = {"Authorization": f"Basic {sandbox.credentials.fullstory_admin_key}"}
    users = httpx.get(f"{sandbox.fullstory_url}/v2/users", headers=auth, timeout=30).json()
    person = sandbox.world.person(0)
    run.console.print(
        f"{sandbox.world.users} seeded people (the same in both tools), "
        f"e.g. {person.display_name} <{person.email}>; "
        f"FullStory lists {users['total_records']} users. Run `headwater sandbox` to keep one serving."
    )


def step_connections(run: DemoRun) -> None:
    """Connect `fs` and `amp` to the sandbox, as `headwater connect` does; later steps use them."""
    for name in ensure_connections(run):
        summary = Connections(run.db, Vault(load_keyring(run.settings))).get(name)
        run.console.print(
            f"headwater connect {summary.kind} --name {summary.name}: "
            "credentials tested, then stored encrypted."
        )


STEPS: list[tuple[str, Callable[[DemoRun], None]]] = [
    ("Store and credential vault", step_store_and_vault),
    ("Sandbox: local FullStory and Amplitude", step_sandbox),
    ("Connections: tested, then stored encrypted", step_connections),
    ("Replication: events into DuckDB, and a user session timeline", step_replication),
    ("PII discovery: which fields hold personal data", step_discovery),
    ("Privacy requests: a copy and a delete", step_privacy),
    ("Workflows: a daily session digest posted to Slack", step_workflows),
    ("Dashboard and REST API", step_web),
]

DEMO_PEOPLE = 40
DEMO_EVENTS_PER_PERSON = 120


def allow_sandbox(host: str) -> None:
    """Let this process (and the ones it starts) reach the sandbox, which listens on a loopback address
    that Headwater otherwise refuses to connect to."""
    entries = [e.strip() for e in os.environ.get(OUTBOUND_ALLOW, "").split(",") if e.strip()]
    if host not in entries:
        os.environ[OUTBOUND_ALLOW] = ",".join([*entries, host])


def run_demo(home: Path | None = None, console: Console | None = None) -> DemoRun:
    console = console or Console()
    home = home or Path(tempfile.mkdtemp(prefix="headwater-demo-"))
    os.environ["HEADWATER_HOME"] = str(home)
    os.environ.pop("HEADWATER_DATABASE_URL", None)
    os.environ.pop("HEADWATER_SECRET_KEY", None)
    settings = load_settings()
    with ExitStack() as stack:
        sandbox = stack.enter_context(
            SandboxServer(world=World(seed=7, users=DEMO_PEOPLE, events_per_user=DEMO_EVENTS_PER_PERSON))
        )
        allow_sandbox(sandbox.host)
        run = DemoRun(
            home=home, console=console, settings=settings, db=Database.open(settings), sandbox=sandbox
        )
        console.print(f"Headwater demo — home: {home}")
        for title, step in STEPS:
            console.print(Rule(title))
            step(run)
        console.print(Rule("Done"))
    return run
