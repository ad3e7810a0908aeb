"""`headwater dsr` through Typer's runner and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.config import load_settings
from headwater.privacy.service import Privacy
from headwater.sandbox import SandboxServer
from headwater.store import Database
from tests.jobs.harness import REDIS_URL, delete_broker_queue, redis_database_number, redis_url
from tests.privacy.conftest import Desk, connect
from tests.sandbox_connections import connect_amplitude

runner = CliRunner()


def dsr(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["dsr", *args])
    return result.exit_code, result.stdout, result.stderr


def test_create_wait_show_list_audit_and_package(desk: Desk, tmp_path: Path) -> None:
    person = desk.sandbox.world.person(9)
    code, out, err = dsr(
        "create", "--kind", "copy", "--email", person.email, "--connection", "fs", "--wait", "--json"
    )
    assert code == 0, err
    ticket = json.loads(out)
    assert ticket["status"] == "completed" and ticket["tasks"][0]["records"] > 0
    assert "in_progress" in err or "completed" in err  # progress was shown

    code, out, _ = dsr("show", ticket["id"].lower())
    assert code == 0 and ticket["id"] in out and "completed" in out
    code, out, _ = dsr("list", "--json")
    assert code == 0 and [t["id"] for t in json.loads(out)] == [ticket["id"]]
    code, out, _ = dsr("list", "--overdue", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = dsr("audit", ticket["id"], "--json")
    assert code == 0 and json.loads(out)[0]["action"] == "dsr.created"
    code, out, _ = dsr("package", ticket["id"], "-o", str(tmp_path / "p.zip"))
    assert code == 0 and "SHA-256" in out and (tmp_path / "p.zip").exists()
    code, _, err = dsr("cancel", ticket["id"])
    assert code == 2 and f"{ticket['id']} is already completed." in err
    code, _, err = dsr("retry", ticket["id"])
    assert code == 2 and "has no failed task to retry (it is completed)" in err


def test_list_has_the_dashboards_filters_and_pages(desk: Desk) -> None:
    ann = desk.create(email="ann@example.com", connections=["fs"])
    bo = desk.create(kind="copy", email="bo@example.com", regulation="ccpa", connections=["amp"])

    def listed(*args: str) -> list[str]:
        code, out, err = dsr("list", *args, "--json")
        assert code == 0, err
        return [t["id"] for t in json.loads(out)]

    assert listed() == [bo["id"], ann["id"]]
    assert listed("--kind", "copy") == [bo["id"]]
    assert listed("--regulation", "gdpr") == [ann["id"]]
    assert listed("--connection", "fs") == [ann["id"]]
    assert listed("--search", "bo@") == [bo["id"]]
    assert listed("--search", ann["id"].lower()) == [ann["id"]]
    assert listed("--due-within-days", "40") == [ann["id"]]  # gdpr: 30 days; ccpa: 45
    code, out, err = dsr("list", "--limit", "1", "--json")
    assert code == 0 and [t["id"] for t in json.loads(out)] == [bo["id"]]
    cursor = err.split("--cursor", 1)[1].split()[0]
    code, out, err = dsr("list", "--limit", "1", "--cursor", cursor, "--json")
    assert code == 0 and [t["id"] for t in json.loads(out)] == [ann["id"]] and "--cursor" not in err
    code, _, err = dsr("list", "--status", "lost")
    assert code == 2 and "unknown status" in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # refused before the store is used
def test_refused_requests_exit_2_with_a_clear_message(desk: Desk) -> None:
    code, _, err = dsr("create", "--kind", "delete", "--email", "not-an-email")
    assert code == 2 and "not a valid email" in err
    code, _, err = dsr("create", "--kind", "delete", "--email", "a@example.com", "--connection", "nope")
    assert code == 2 and "Unknown connection 'nope'" in err and "fs" in err
    code, _, err = dsr("create", "--kind", "erase", "--email", "a@example.com")
    assert code == 2 and "delete or copy" in err
    code, _, err = dsr("create", "--kind", "delete", "--email", "a@example.com", "--regulation", "lgpd")
    assert code == 2 and "gdpr" in err
    code, _, _ = dsr("create", "--kind", "delete")
    assert code == 2  # --email is required
    code, _, err = dsr("show", "DSR-NOPE00")
    assert code == 3 and "no privacy request" in err


def test_import_reports_each_row_and_a_bad_row_stops_nothing(desk: Desk, tmp_path: Path) -> None:
    people = [desk.sandbox.world.person(i) for i in (10, 11)]
    csv = tmp_path / "requests.csv"
    csv.write_text(
        "email,kind,regulation,connections\n"
        f"{people[0].email},delete,gdpr,fs\n"
        "broken-email,delete,gdpr,fs\n"
        f"{people[1].email},copy,ccpa,fs;amp\n"
    )
    code, out, err = dsr("import", str(csv), "--json")
    assert code == 1
    summary = json.loads(out)
    assert (summary["created"], summary["duplicates"], summary["refused"]) == (2, 0, 1)
    # embedded, and no worker runs: the import says so rather than leaving its work queued unsaid
    assert "2 request(s) queued and no worker is running" in said(err) and "worker --once" in said(err)
    rows = summary["rows"]
    assert [r["ok"] for r in rows] == [True, False, True]
    assert rows[1]["line"] == 3 and "not a valid email" in rows[1]["error"]
    assert len(desk.privacy.list_tickets()) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("mail\nx@example.com\n")
    code, _, err = dsr("import", str(bad))
    assert code == 2 and "email" in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_as_a_real_process(desk: Desk) -> None:
    """Exit codes and JSON as a shell sees them. One backend is enough here: the store code is the same
    as under Typer's runner above, and starting Python is what this test pays for."""
    command = [sys.executable, "-m", "headwater", "dsr", "create", "--kind", "delete"]
    refused = subprocess.run([*command, "--email", "x@y"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "not a valid email" in refused.stderr
    made = subprocess.run(
        [*command, "--email", "who@example.org", "--wait", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    ticket = json.loads(made.stdout)
    assert ticket["status"] == "completed" and {t["records"] for t in ticket["tasks"]} == {0}
    assert desk.show(ticket["id"])["status"] == "completed"


def said(text: str) -> str:
    """Console output with its line wrapping undone."""
    return " ".join(text.split())


def test_create_does_the_work_it_can_now_and_says_what_remains(desk: Desk) -> None:
    """Embedded mode with no worker running: nothing would ever run jobs left queued."""
    person = desk.sandbox.world.person(12)
    code, out, err = dsr("create", "--kind", "delete", "--email", person.email, "--json")
    assert code == 0, err
    ticket = json.loads(out)
    assert ticket["status"] == "waiting", ticket
    assert {t["connection"]: t["status"] for t in ticket["tasks"]}["amp"] == "waiting"
    err = said(err)
    assert "amp: Amplitude is deleting on its own schedule; Headwater asks it again at" in err
    assert "No worker is running: keep `headwater serve` or `headwater worker` running" in err
    assert f"run `headwater dsr refresh {ticket['id']}` to ask the provider now" in err


def test_no_wait_queues_and_says_so_and_the_list_warns_until_a_worker_runs(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEADWATER_JOBS_STALL_SECONDS", "0")
    person = desk.sandbox.world.person(13)
    code, out, err = dsr("create", "--kind", "delete", "--email", person.email, "--no-wait", "--json")
    assert code == 0, err
    ticket = json.loads(out)
    assert ticket["status"] == "received"
    assert "fs: queued (pending)" in said(err) and "run `headwater worker --once` now" in said(err)

    due = len(desk.privacy.queue.list_jobs(status="queued"))
    assert due >= 2  # the ticket's own job and its connection's work, at least
    code, _, err = dsr("list")
    assert code == 0 and f"Warning: {due} job(s) due" in said(err) and "no worker is running" in said(err)
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.stderr
    code, _, err = dsr("list")
    assert code == 0 and "Warning" not in err
    assert desk.show(ticket["id"])["status"] == "waiting"


@pytest.fixture
def uid_desk(db: Database, sandbox: SandboxServer, fast_jobs: None) -> Desk:
    privacy = Privacy.open(load_settings(), db)
    connect(privacy, sandbox, fs="uid")
    return Desk(privacy, sandbox)


def test_set_identity_and_retry_do_the_work_now_and_say_what_is_left(uid_desk: Desk) -> None:
    person = uid_desk.sandbox.world.person(14)
    create = ("create", "--kind", "delete", "--email", person.email, "--connection", "fs", "--json")
    code, out, err = dsr(*create)
    ticket = json.loads(out)
    assert code == 0 and ticket["status"] == "needs_input", err
    assert f"`headwater dsr set-identity {ticket['id']} --connection fs --uid ...`" in said(err)
    code, out, err = dsr("set-identity", ticket["id"], "--connection", "fs", "--uid", person.uid, "--json")
    assert code == 0 and json.loads(out)["status"] in ("waiting", "completed"), err

    wrong = uid_desk.create(
        email="nobody@example.com", identifiers={"fullstory_uid": "nope"}, connections=["fs"]
    )
    uid_desk.drain()
    code, out, err = dsr("retry", wrong["id"], "--json")
    assert code == 0, err
    retried = json.loads(out)
    assert retried["status"] == "failed"  # tried again, here: it was left queued (in progress) before
    assert "no user with uid 'nope'" in said(err) and f"then `headwater dsr retry {wrong['id']}`" in said(err)


def test_a_refresh_that_finds_a_copy_ready_collects_it_now(desk: Desk) -> None:
    desk.privacy.connections.remove("amp", actor="officer")
    connect_amplitude(
        desk.privacy.connections, desk.sandbox, "amp", actor="officer", org_keys=True, identify_by="email"
    )
    person = desk.sandbox.world.person(15)
    code, out, err = dsr("create", "--kind", "copy", "--email", person.email, "--connection", "amp", "--json")
    ticket = json.loads(out)
    assert code == 0 and ticket["status"] == "waiting", err
    assert "amp: Amplitude is preparing the copy on its own schedule" in said(err)
    desk.sandbox.clock.advance(days=1, seconds=3600)  # the sandbox's DSAR is done a day after it is asked
    code, out, err = dsr("refresh", ticket["id"], "--json")
    assert code == 0, err
    refreshed = json.loads(out)
    assert refreshed["polled"] == 1 and refreshed["status"] == "completed", refreshed


@pytest.mark.skipif(not REDIS_URL, reason="needs HEADWATER_TEST_REDIS_URL (CI sets it)")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the broker is what this is about
def test_with_a_broker_create_hands_the_work_over_and_says_so(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker, queue = redis_url(REDIS_URL, redis_database_number()), f"hwtest-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("HEADWATER_BROKER_URL", broker)
    monkeypatch.setenv("HEADWATER_JOBS_QUEUE", queue)
    try:
        code, out, err = dsr("create", "--kind", "delete", "--email", "who@example.org", "--json")
    finally:
        delete_broker_queue(broker, queue)
    assert code == 0 and json.loads(out)["status"] == "received", err
    assert "Handed to the broker, but no worker is running: start `headwater worker`" in said(err)
