"""`headwater dsr` through Typer's runner and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headwater.cli.main import app
from tests.privacy.conftest import Desk

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
    code, out, _ = dsr("import", str(csv), "--json")
    assert code == 1
    summary = json.loads(out)
    assert (summary["created"], summary["duplicates"], summary["refused"]) == (2, 0, 1)
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
