"""The privacy step of `make demo`: a copy and a delete request completing against the sandbox."""

from __future__ import annotations

import time
from typing import Any

from headwater.connections import Connections
from headwater.errors import NotFound
from headwater.jobs import EmbeddedWorker
from headwater.privacy import states
from headwater.privacy.service import Privacy
from headwater.privacy.transport import shared_transport
from headwater.vault import Vault, load_keyring


def ensure_connections(run: Any) -> list[str]:
    """Connections `fs` and `amp` to the demo sandbox, unless an earlier step made them; returns the
    names it made. `amp` has the organization's key pair, so its copies use Amplitude's DSAR."""
    connections = Connections(run.db, Vault(load_keyring(run.settings)))
    sandbox, creds = run.sandbox, run.sandbox.credentials
    amplitude_keys = {
        "api_key": creds.amplitude_api_key,
        "secret_key": creds.amplitude_secret_key,
        "org_api_key": creds.amplitude_org_api_key,
        "org_secret_key": creds.amplitude_org_secret_key,
    }
    wanted = {
        "fs": ("fullstory", {"api_key": creds.fullstory_admin_key}, sandbox.fullstory_url),
        "amp": ("amplitude", amplitude_keys, sandbox.amplitude_url),
    }
    made = []
    for name, (kind, secrets, url) in wanted.items():
        try:
            connections.get(name)
        except NotFound:
            connections.create(
                kind,
                name,
                credentials=secrets,
                settings={"base_url": url},
                actor="demo",
                transport=shared_transport(),
            )
            made.append(name)
    return made


def _work(privacy: Privacy, ids: list[str]) -> None:
    for _ in range(100):
        EmbeddedWorker(privacy.queue, concurrency=2, ticker=False).run(once=True)
        if all(privacy.show(i)["status"] not in (states.RECEIVED, states.IN_PROGRESS) for i in ids):
            return
        time.sleep(0.1)


def _tasks(ticket: dict[str, Any]) -> str:
    tasks = ", ".join(f"{t['connection']} {t['status']}" for t in ticket["tasks"])
    return f"{ticket['status']} ({tasks})"


def step_privacy(run: Any) -> None:
    ensure_connections(run)
    privacy = Privacy.open(run.settings, run.db)
    world, say = run.sandbox.world, run.console.print
    copy = privacy.create(kind="copy", email=world.person(1).email, actor="demo")
    delete = privacy.create(kind="delete", email=world.person(2).email, regulation="ccpa", actor="demo")
    say(f"Opened {copy['id']} (copy) and {delete['id']} (delete, CCPA: due {str(delete['due_at'])[:10]}).")
    _work(privacy, [copy["id"], delete["id"]])
    say(f"{copy['id']}: {_tasks(privacy.show(copy['id']))}; Amplitude prepares its own copy (DSAR).")
    say(f"{delete['id']}: {_tasks(privacy.show(delete['id']))}; Amplitude runs deletion jobs over weeks.")

    run.sandbox.clock.advance(days=2)
    privacy.refresh(copy["id"], actor="demo")
    _work(privacy, [copy["id"]])
    copied = privacy.show(copy["id"])
    counts = ", ".join(f"{t['connection']} {t['records']}" for t in copied["tasks"])
    say(
        f"2 sandbox days later `headwater dsr refresh` finds Amplitude's copy ready and collects it: "
        f"{copy['id']} is {copied['status']}, records copied: {counts}."
    )
    out = privacy.package(copy["id"], run.home / f"{copy['id']}.zip", actor="demo")
    say(f"  access package {out['path']} ({out['files']} files, SHA-256 {out['sha256'][:16]}…)")
    run.sandbox.clock.advance(days=18)
    done = privacy.refresh(delete["id"], actor="demo")
    say(f"18 days after that, a refresh finds the deletions done: {delete['id']} is {done['status']}.")
    steps = len(privacy.audit(delete["id"]))
    say(f"Its audit trail holds {steps} entries (`headwater dsr audit {delete['id']}`).")
