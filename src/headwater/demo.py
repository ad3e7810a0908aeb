"""The end-to-end demo behind `make demo`: every feature shown against the sandbox, no account needed.

Each step is a plain function taking the shared `DemoRun`; features append their step to `STEPS`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule

from headwater.config import Settings, load_settings
from headwater.store import Database
from headwater.vault import Vault, load_keyring, mask, rotate_master_key


@dataclass
class DemoRun:
    home: Path
    console: Console
    settings: Settings
    db: Database
    facts: dict[str, Any] = field(default_factory=dict)


def step_store_and_vault(run: DemoRun) -> None:
    vault = Vault(load_keyring(run.settings))
    with run.db.session() as session:
        ref = vault.put(session, "demo-secret-value-0123456789")
    run.console.print(
        f"Store ready at {run.settings.effective_database_url} (schema {', '.join(sorted(run.db.current_revisions()))})."
    )
    result = rotate_master_key(run.settings, run.db)
    with run.db.session() as session:
        value = Vault(load_keyring(run.settings)).get(session, ref)
    run.console.print(
        f"Vault: stored a credential encrypted, rotated the master key ({result.secrets_rewritten} secret "
        f"re-encrypted) and read it back as {mask(value)}."
    )


STEPS: list[tuple[str, Callable[[DemoRun], None]]] = [("Store and credential vault", step_store_and_vault)]


def run_demo(home: Path | None = None, console: Console | None = None) -> DemoRun:
    console = console or Console()
    home = home or Path(tempfile.mkdtemp(prefix="headwater-demo-"))
    os.environ["HEADWATER_HOME"] = str(home)
    os.environ.pop("HEADWATER_DATABASE_URL", None)
    os.environ.pop("HEADWATER_SECRET_KEY", None)
    settings = load_settings()
    run = DemoRun(home=home, console=console, settings=settings, db=Database.open(settings))
    console.print(f"Headwater demo — home: {home}")
    for title, step in STEPS:
        console.print(Rule(title))
        step(run)
    console.print(Rule("Done"))
    return run
