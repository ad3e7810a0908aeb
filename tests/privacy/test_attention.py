"""Failures that must not hide: a failed task inside a ticket that still waits for another provider, and
provider jobs that can never be polled again (a revoked key, a connection removed or disabled).

Each test drives the CLI as a person would, against the sandbox; the sandbox "revokes" a key the way a
provider does when it is rotated: it stops accepting the one we hold.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
from sqlalchemy import select
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.privacy.models import ProviderJobRow
from tests.privacy.conftest import Desk

runner = CliRunner()


def hw(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def listed(*args: str) -> list[str]:
    code, out, err = hw("dsr", "list", *args, "--json")
    assert code == 0, err
    return [t["id"] for t in json.loads(out)]


def shown(ticket_id: str) -> dict[str, Any]:
    code, out, err = hw("dsr", "show", ticket_id, "--json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def revoke_amplitude_key(desk: Desk) -> None:
    """Amplitude stops accepting the secret key our connection holds (as after a rotation)."""
    state = desk.sandbox.amplitude_app.state.sandbox
    state.credentials = dataclasses.replace(
        state.credentials, amplitude_secret_key="rotated0secret0key0000000000001"
    )


def deletion_polls(desk: Desk) -> int:
    calls = httpx.get(f"{desk.sandbox.amplitude_url}/_sandbox/calls").json()["calls"]
    return sum(1 for c in calls if c["method"] == "GET" and c["path"] == "/api/2/deletions/users")


def test_a_failed_task_in_a_waiting_ticket_needs_attention(desk: Desk) -> None:
    troubled = desk.create(email=desk.sandbox.world.person(20).email)
    calm = desk.create(email=desk.sandbox.world.person(21).email, connections=["amp"])
    desk.privacy.connections.disable("fs", actor="officer")  # FullStory's task fails; Amplitude's waits
    desk.drain()

    ticket = shown(troubled["id"])
    statuses = {t["connection"]: t["status"] for t in ticket["tasks"]}
    assert ticket["status"] == "waiting" and statuses == {"fs": "failed", "amp": "waiting"}
    assert ticket["needs_attention"] is True and shown(calm["id"])["needs_attention"] is False
    assert listed("--status", "failed") == []  # the ticket's own status hides the failure...
    assert listed("--needs-attention") == [troubled["id"]]  # ...the flag does not
    assert listed("--needs-attention", "--status", "waiting", "--connection", "fs") == [troubled["id"]]

    code, out, _ = hw("dsr", "show", troubled["id"])
    assert code == 0 and "needs attention" in out and "fs failed" in out
    code, out, _ = hw("dsr", "list")
    assert code == 0 and "needs attention" in out

    desk.privacy.connections.enable("fs", actor="officer")
    desk.privacy.retry(troubled["id"], actor="officer")
    desk.drain()
    assert shown(troubled["id"])["needs_attention"] is False and listed("--needs-attention") == []


def test_a_revoked_key_fails_the_waiting_task_and_refresh_says_so(desk: Desk) -> None:
    ticket = desk.create(email=desk.sandbox.world.person(22).email, connections=["amp"])
    desk.drain()
    assert shown(ticket["id"])["status"] == "waiting"
    revoke_amplitude_key(desk)

    code, out, err = hw("dsr", "refresh", ticket["id"])
    assert code == 1, out + err
    assert "Polled 0 of 1 provider job(s)" in out and "1 failed for good" in out and "HTTP 401" in out
    after = shown(ticket["id"])
    [amp] = after["tasks"]
    assert after["status"] == "failed" and amp["status"] == "failed" and after["needs_attention"] is True
    assert "HTTP 401" in amp["last_error"] and "Invalid API key or secret key" in amp["last_error"]
    code, out, _ = hw("dsr", "audit", ticket["id"], "--json")
    moves = [e for e in json.loads(out) if e["action"] == "dsr.task_status"]
    assert moves[-1]["details"]["after"] == "failed" and "HTTP 401" in moves[-1]["message"]
    with desk.privacy.db.session() as session:  # the schedule no longer polls it
        assert list(session.scalars(select(ProviderJobRow.next_poll_at))) == [None]

    polls = deletion_polls(desk)
    code, out, _ = hw("dsr", "refresh", ticket["id"], "--json")
    report = json.loads(out)
    assert code == 1 and report["polled"] == 0 and deletion_polls(desk) == polls + 1
    assert [f["permanent"] for f in report["poll_failures"]] == [True]


def test_a_removed_connection_fails_its_waiting_tasks_instead_of_polling_for_ever(desk: Desk) -> None:
    ticket = desk.create(email=desk.sandbox.world.person(23).email)
    desk.drain()
    assert shown(ticket["id"])["status"] == "waiting"

    code, _, err = hw("connections", "remove", "amp")
    assert code == 2 and ticket["id"] in err and "--yes" in err
    code, out, err = hw("connections", "remove", "amp", "--yes")
    assert code == 0 and "removed" in out and ticket["id"] in err
    code, out, _ = hw("dsr", "refresh", ticket["id"])
    assert code == 1 and "Polled 1 of 2 provider job(s)" in out and "'amp' was removed" in out
    tasks = {t["connection"]: t for t in shown(ticket["id"])["tasks"]}
    assert tasks["amp"]["status"] == "failed" and "removed" in tasks["amp"]["last_error"]
    assert tasks["fs"]["status"] == "waiting"


def test_disabling_a_connection_open_tickets_need_asks_for_yes(desk: Desk) -> None:
    ticket = desk.create(email=desk.sandbox.world.person(24).email, connections=["amp"])
    desk.drain()
    code, _, err = hw("connections", "disable", "amp")
    assert code == 2 and ticket["id"] in err and "--yes" in err
    assert desk.privacy.connections.get("amp").enabled
    code, _, err = hw("connections", "disable", "amp", "--yes")
    assert code == 0 and ticket["id"] in err and not desk.privacy.connections.get("amp").enabled
    code, out, _ = hw("dsr", "refresh", ticket["id"])
    assert code == 1 and "'amp' is disabled" in out
    assert shown(ticket["id"])["tasks"][0]["status"] == "failed"
    code, _, _ = hw("connections", "disable", "fs")  # nothing open depends on fs
    assert code == 0
