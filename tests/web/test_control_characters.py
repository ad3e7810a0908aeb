"""Control characters in what callers send: a clear 422 naming the field, the same on SQLite and
PostgreSQL (where a NUL used to be stored by one and answered with a 500 by the other), whichever way
the text came in — a JSON body, a query, a path, a CSV row."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from headwater.privacy.models import TicketRow
from tests.web.conftest import Web

TICKETS = "/api/v1/tickets"
CREATE = {"kind": "delete", "email": "ann@example.com"}


def tickets(web: Web) -> int:
    with web.services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(TicketRow)) or 0)


@pytest.mark.parametrize(
    ("body", "field", "character"),
    [
        ({**CREATE, "email": "ann\u0000@example.com"}, "email", "U+0000"),
        ({**CREATE, "email": "ann@example.com\u007f"}, "email", "U+007F"),
        ({**CREATE, "fullstory_uid": "u-1\u001b[31m"}, "fullstory_uid", "U+001B"),
        ({**CREATE, "amplitude_user_id": "a\tb"}, "amplitude_user_id", "U+0009"),
        ({**CREATE, "connections": ["fs\u0000"]}, "connections.0", "U+0000"),
    ],
)
def test_a_ticket_with_a_control_character_is_refused_on_both_stores(
    connected: Web, body: dict[str, Any], field: str, character: str
) -> None:
    answer = connected.client.post(TICKETS, json=body, headers=connected.auth("operator"))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "bad_input"
    assert problem["errors"][0]["field"] == field
    assert f"contains a control character ({character})" in problem["detail"]
    assert tickets(connected) == 0


def test_other_request_bodies_refuse_control_characters(connected: Web) -> None:
    web, admin = connected, connected.auth("admin")
    refused = {
        "/api/v1/tokens": {"name": "ci\u0000", "role": "viewer"},
        "/api/v1/users": {"email": "eve\u0000@example.com", "password": "x" * 12, "role": "viewer"},
        "/api/v1/connections": {
            "kind": "fullstory",
            "name": "fs2",
            "credentials": {"api_key": "k"},
            "settings": {"base_url": "http://fs.example\u0000"},
        },
        "/api/v1/connections/fs/actions/list-users/run": {"input": {"email": "a\u0000@example.com"}},
        "/api/v1/connections/fs/syncs": {"destination": "warehouse\u0000"},
    }
    for url, body in refused.items():
        answer = web.client.post(url, json=body, headers=admin)
        assert answer.status_code == 422, (url, answer.text)
        assert "contains a control character (U+0000)" in answer.json()["detail"], url


def test_multi_line_text_keeps_its_lines_but_not_other_controls(connected: Web) -> None:
    web, operator = connected, connected.auth("operator")
    first = web.client.post(TICKETS, json=CREATE, headers=operator).json()["id"]
    bell = web.client.post(f"{TICKETS}/{first}/cancel", json={"reason": "asked\u0007"}, headers=operator)
    assert bell.status_code == 422 and "reason" in bell.json()["detail"]
    lines = web.client.post(
        f"{TICKETS}/{first}/cancel", json={"reason": "asked twice,\r\nby mail"}, headers=operator
    )
    assert lines.status_code == 200, lines.text


def test_a_nul_in_a_query_path_or_csv_row_never_reaches_the_store(connected: Web) -> None:
    web, operator = connected, connected.auth("operator")
    found = web.client.get(TICKETS, params={"q": "ann\u0000"}, headers=operator)
    assert found.status_code == 422 and "U+0000" in found.json()["detail"]
    one = web.client.get(f"{TICKETS}/DSR-%00", headers=operator)
    assert one.status_code == 422 and "U+0000" in one.json()["detail"]
    binary = "email,kind\nann\u0000@example.com,delete\nbob@example.com,delete\n"
    refused = web.client.post(
        f"{TICKETS}/import", files={"file": ("people.csv", binary.encode(), "text/csv")}, headers=operator
    )
    assert refused.status_code == 422 and "NUL byte" in refused.json()["detail"]  # refused whole
    assert tickets(web) == 0
    rows = "email,kind\nann\u001b@example.com,delete\nbob@example.com,delete\n"
    answer = web.client.post(
        f"{TICKETS}/import", files={"file": ("people.csv", rows.encode(), "text/csv")}, headers=operator
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["created"], result["refused"]) == (1, 1)
    assert "control character (U+001B)" in result["rows"][0]["error"]
    assert tickets(web) == 1


@pytest.mark.parametrize(
    ("email", "character"),
    [
        ("ann\u0085@example.com", "U+0085"),  # C1: next line
        ("ann@example.com\u009b31m", "U+009B"),  # C1: control sequence introducer
        ("\u202emoc.elpmaxe@nna", "U+202E"),  # right-to-left override: shows reversed
        ("ann\u200f@example.com", "U+200F"),
        ("ann\u2066@example.com", "U+2066"),
        ("ann\ufeff@example.com", "U+FEFF"),
    ],
)
def test_c1_controls_and_bidi_marks_are_refused_in_one_line_fields(
    connected: Web, email: str, character: str
) -> None:
    answer = connected.client.post(
        TICKETS, json={**CREATE, "email": email}, headers=connected.auth("operator")
    )
    assert answer.status_code == 422, answer.text
    assert f"contains a control character ({character})" in answer.json()["detail"]
    token = connected.client.post(
        "/api/v1/tokens",
        json={"name": f"ci{character}\u202e", "role": "viewer"},
        headers=connected.auth("admin"),
    )
    assert token.status_code == 422, token.text
    assert tickets(connected) == 0


def test_list_query_parameters_refuse_control_characters(connected: Web) -> None:
    web, viewer = connected, connected.auth("viewer")
    for url, params in [
        (TICKETS, {"q": "\u001b[2Jann"}),
        (TICKETS, {"connection": "\u001b"}),
        (TICKETS, {"status": "received\u202e"}),
        ("/api/v1/syncs", {"connection": "fs\u001b"}),
        ("/api/v1/actions", {"connection": "fs\u0007"}),
        ("/api/v1/jobs", {"kind": "privacy\u001b"}),
    ]:
        answer = web.client.get(url, params=params, headers=viewer)
        assert answer.status_code == 422, (url, params, answer.text)
        assert "contains a control character" in answer.json()["detail"], url
    assert web.client.get(TICKETS, params={"q": "ann"}, headers=viewer).status_code == 200
    page = web.browser("viewer").get("/tickets", params={"q": "\u001b[2J"})
    assert page.status_code == 422 and "\u001b" not in page.text
