"""Intake refuses control characters in what a person typed — the email, a provider's user id, a reason
— with one clear message (exit 2 on the command line), identically on SQLite and PostgreSQL; and a NUL
that reaches the store by any other path is refused there, before either database sees it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.errors import BadInput
from tests.privacy.conftest import Desk

runner = CliRunner()


def dsr(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["dsr", *args])
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"email": "ann\u0000@example.com"}, "The email contains a control character (U+0000) at position 4"),
        ({"email": "ann@exa\u0008mple.com"}, "The email contains a control character (U+0008) at position 8"),
        (
            {"email": "ann@example.com", "identifiers": {"fullstory_uid": "u\u001b[2J"}},
            "Fullstory uid contains a control character (U+001B) at position 2",
        ),
        (
            {"email": "ann@example.com", "identifiers": {"amplitude_user_id": "a\nb"}},
            "Amplitude user id contains a control character (U+000A) at position 2",
        ),
    ],
)
def test_intake_refuses_control_characters(desk: Desk, given: dict[str, Any], says: str) -> None:
    with pytest.raises(BadInput) as refused:
        desk.create(**given)
    assert refused.value.message == f"{says}."
    assert desk.privacy.list_tickets() == []


def test_intake_from_the_command_line_exits_2(desk: Desk, tmp_path: Path) -> None:
    code, out = dsr("create", "--kind", "delete", "--email", "ann\u001b]8;;x\u0007@example.com")
    assert code == 2 and "control character (U+001B)" in out
    code, out = dsr("create", "--kind", "delete", "--email", "ann@example.com", "--fullstory-uid", "u\u0000")
    assert code == 2 and "control character (U+0000)" in out
    binary = tmp_path / "binary.csv"
    binary.write_text("email\nann\u0000@example.com\nbob@example.com\n")
    code, out = dsr("import", str(binary), "--kind", "delete", "--json")
    assert code == 2 and "NUL byte" in out  # a NUL says it is no text file: refused whole
    assert desk.privacy.list_tickets() == []
    people = tmp_path / "people.csv"
    people.write_text("email\nann\u001b@example.com\nbob@example.com\n")
    code, out = dsr("import", str(people), "--kind", "delete", "--json")
    assert "control character (U+001B)" in out
    assert [t["email"] for t in desk.privacy.list_tickets()] == ["bob@example.com"]


def test_intake_of_reasons_and_identities_refuses_controls_but_keeps_lines(desk: Desk) -> None:
    ticket = desk.create(email="ann@example.com", connections=["fs"])["id"]
    with pytest.raises(BadInput, match=r"The reason contains a control character \(U\+0000\)"):
        desk.privacy.cancel(ticket, actor="officer", reason="asked\u0000")
    with pytest.raises(BadInput, match=r"Fullstory uid contains a control character \(U\+007F\)"):
        desk.privacy.set_identity(ticket, connection="fs", uid="u\u007f", actor="officer")
    cancelled = desk.privacy.cancel(ticket, actor="officer", reason="asked twice,\nby mail")
    assert cancelled["status"] == "cancelled"


def test_intake_store_refuses_a_nul_from_any_path(desk: Desk) -> None:
    """Looking a ticket up by an id with a NUL: SQLite used to answer 'not found', PostgreSQL crashed."""
    with pytest.raises(BadInput, match=r"character the store cannot keep \(U\+0000\)"):
        desk.privacy.show("DSR-\u0000")
    code, out = dsr("show", "DSR-\u0000", "--json")
    assert code == 2 and "U+0000" in out and not out.lstrip().startswith("{")
    assert json.loads(dsr("list", "--json")[1]) == []
