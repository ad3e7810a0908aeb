"""`headwater dsr import` from outside: rows the header cannot hold, files that are not UTF-8, and a file
imported again — also after the first import was killed part way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.privacy import states
from headwater.privacy.models import TicketRow
from tests.privacy.conftest import Desk

runner = CliRunner()
KILL_AFTER_TICKETS = 5
KILL_DEADLINE_SECONDS = 90


def dsr(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["dsr", *args])
    return result.exit_code, result.stdout, result.stderr


def open_tickets(desk: Desk) -> Counter[tuple[str, str]]:
    """How many open tickets each (email, kind) has."""
    with desk.privacy.db.session() as session:
        rows = session.execute(
            select(TicketRow.email, TicketRow.kind).where(TicketRow.status.not_in(states.CLOSED))
        ).all()
    return Counter((email, kind) for email, kind in rows)


def ticket_count(desk: Desk) -> int:
    with desk.privacy.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(TicketRow)) or 0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_row_with_more_cells_than_the_header_names_is_refused_with_its_line(
    desk: Desk, tmp_path: Path
) -> None:
    csv = tmp_path / "requests.csv"
    csv.write_text("email,connections\nx@example.com,fs,amp\ny@example.com,fs\n")
    code, out, _ = dsr("import", str(csv), "--json")
    assert code == 1
    rows = json.loads(out)["rows"]
    assert [(r["line"], r["outcome"]) for r in rows] == [(2, "refused"), (3, "created")]
    assert "3 cells but the header names 2" in rows[0]["error"]
    assert open_tickets(desk) == Counter({("y@example.com", "delete"): 1})

    code, out, _ = dsr("import", str(csv))
    assert code == 1 and "line 2: refused: 3 cells" in out and "0 request(s) created" in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("email\nann@example.com\nrené@exämple.com\n".encode("latin-1"), "line 3, byte offset 25 (0xe9)"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U", "line 1, byte offset 14 (0xb5)"),
        ("email\nann@example.com\n".encode("utf-16"), "line 1, byte offset 0 (0xff)"),
    ],
    ids=["latin-1", "spreadsheet", "utf-16"],
)
def test_a_file_that_is_not_utf8_is_refused_whole_with_where_it_failed(
    desk: Desk, tmp_path: Path, content: bytes, where: str
) -> None:
    csv = tmp_path / "requests.csv"
    csv.write_bytes(content)
    result = runner.invoke(app, ["dsr", "import", str(csv)])
    assert result.exit_code == 2, result.exception
    assert "not UTF-8 text" in result.stderr and where in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "CSV UTF-8" in result.stderr
    assert ticket_count(desk) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_row_csv_cannot_read_refuses_the_file_with_its_line(desk: Desk, tmp_path: Path) -> None:
    csv = tmp_path / "requests.csv"
    csv.write_text('email\nann@example.com\n"' + "x" * 200_000 + '"\n')
    code, _, err = dsr("import", str(csv))
    assert code == 2 and "the row from line 3 is not CSV" in err
    assert ticket_count(desk) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_file_that_is_utf8_with_a_byte_order_mark_is_read(desk: Desk, tmp_path: Path) -> None:
    csv = tmp_path / "requests.csv"
    csv.write_bytes("email,connections\r\nrené@example.com,fs\r\n".encode("utf-8-sig"))
    code, out, err = dsr("import", str(csv), "--json")
    assert code == 0, err
    assert json.loads(out)["created"] == 1
    assert open_tickets(desk) == Counter({("rené@example.com", "delete"): 1})


def test_importing_a_file_again_files_nobody_twice(desk: Desk, tmp_path: Path) -> None:
    csv = tmp_path / "requests.csv"
    csv.write_text(
        "email,kind,connections\n"
        "a@example.com,delete,fs\n"
        "b@example.com,delete,fs\n"
        "b@example.com,copy,fs\n"
        "c@example.com,delete,fs\n"
    )
    code, _, err = dsr("import", str(csv))
    assert code == 0, err
    first = {(t["email"], t["kind"]): t["id"] for t in desk.privacy.list_tickets()}
    desk.privacy.cancel(first["c@example.com", "delete"], actor="officer")  # closed: no duplicate

    code, out, err = dsr("import", str(csv), "--json")
    assert code == 0, err
    assert set(open_tickets(desk).values()) == {1} and len(open_tickets(desk)) == 4
    again = json.loads(out)
    assert (again["created"], again["duplicates"], again["refused"]) == (1, 3, 0)
    assert [(r["outcome"], r.get("ticket")) for r in again["rows"][:3]] == [
        ("duplicate", first["a@example.com", "delete"]),
        ("duplicate", first["b@example.com", "delete"]),
        ("duplicate", first["b@example.com", "copy"]),
    ]
    assert again["rows"][3]["outcome"] == "created"

    code, out, _ = dsr("import", str(csv))
    assert code == 0 and f"line 2: duplicate: {first['a@example.com', 'delete']} is already open" in out
    assert "0 request(s) created, 4 duplicate(s) skipped, 0 row(s) refused." in out


def test_an_import_killed_part_way_then_run_again_files_each_person_once(desk: Desk, tmp_path: Path) -> None:
    people = [f"person{i}@example.com" for i in range(400)]
    csv = tmp_path / "requests.csv"
    csv.write_text("email,connections\n" + "".join(f"{email},fs\n" for email in people))
    command = [sys.executable, "-m", "headwater", "dsr", "import", str(csv), "--json"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ)
    try:
        deadline = time.monotonic() + KILL_DEADLINE_SECONDS
        while ticket_count(desk) < KILL_AFTER_TICKETS and process.poll() is None:
            assert time.monotonic() < deadline, "the import filed nothing in time"
            time.sleep(0.02)
        assert process.poll() is None, "the import ended before it could be killed part way"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    filed = ticket_count(desk)
    assert KILL_AFTER_TICKETS <= filed < len(people)

    code, out, err = dsr("import", str(csv), "--json")
    assert code == 0, err
    assert open_tickets(desk) == Counter({(email, "delete"): 1 for email in people})
    summary = json.loads(out)
    assert (summary["created"], summary["duplicates"], summary["refused"]) == (len(people) - filed, filed, 0)
