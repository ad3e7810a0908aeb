"""The workflows step of `make demo`: the session digest against the sandbox, and the Slack message the
sandbox's webhook received."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from headwater.connections import Connections
from headwater.errors import NotFound
from headwater.vault import Vault, load_keyring
from headwater.workflows.service import Workflows
from headwater.workflows.slack import connect_slack

FULLSTORY = "demo-fs"
SLACK = "demo-slack"


def _connect(connections: Connections, sandbox: Any) -> None:
    try:
        connections.get(FULLSTORY)
    except NotFound:
        connections.create(
            "fullstory",
            FULLSTORY,
            credentials={"api_key": sandbox.credentials.fullstory_admin_key},
            settings={"base_url": sandbox.fullstory_url},
            actor="demo",
        )
    try:
        connections.get(SLACK)
    except NotFound:
        connect_slack(connections, SLACK, SecretStr(sandbox.slack_webhook_url), test=False, actor="demo")


def step_workflows(run: Any) -> None:
    say, sandbox = run.console.print, run.sandbox
    connections = Connections(run.db, Vault(load_keyring(run.settings)))
    _connect(connections, sandbox)
    workflows = Workflows(run.db, run.settings, connections=connections, clock=sandbox.clock.now)
    people = [sandbox.world.person(index).email for index in (3, 4)]
    added = workflows.init(
        "session-digest",
        run.home / "session-digest.yaml",
        force=True,
        actor="demo",
        fullstory=FULLSTORY,
        slack=SLACK,
        emails=people,
        timezone="Europe/Paris",
    )
    say(f"`headwater workflows init session-digest` wrote {added['path']}", markup=False, soft_wrap=True)
    say(f"and added it: daily at 09:00 Europe/Paris, counting the new sessions of {', '.join(people)}.")
    first = workflows.run_now("session-digest", {"first_lookback_hours": "1440"})
    second = workflows.run_now("session-digest", {})
    messages = httpx.get(f"{sandbox.slack_url}/_sandbox/slack/messages", timeout=30).json()["messages"]
    posted = messages[-2]
    say(
        f"Run {first['id']} ({first['status']}; this first run looks back 60 days) posted to "
        f"{posted['channel']}:"
    )
    for block in posted["blocks"]:
        text = (block.get("text") or {}).get("text") or " ".join(e["text"] for e in block.get("elements", []))
        for line in text.splitlines():
            say(f"  │ {line}", markup=False)
    say(f"Run {second['id']} ({second['status']}), right after it, counted only what is new:")
    say(f"  │ {messages[-1]['text']}", markup=False)
    say(f"The workflow's state now: {workflows.show('session-digest')['state']}.", markup=False)
