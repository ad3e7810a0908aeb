"""Privacy tickets over the API: create (idempotent), list with filters and cursors, handle, import,
follow to completion against the sandbox, and download the access package."""

from __future__ import annotations

import io
import uuid
import zipfile

from sqlalchemy import func, select

from headwater.privacy.models import TicketRow
from headwater.sandbox import SandboxServer
from tests.web.conftest import Web

URL = "/api/v1/tickets"


def test_an_idempotency_key_never_opens_two_tickets(connected: Web) -> None:
    web, key = connected, str(uuid.uuid4())
    body = {"kind": "delete", "email": "ann@example.com", "regulation": "ccpa"}
    headers = {**web.auth("operator"), "Idempotency-Key": key}
    first = web.client.post(URL, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"{URL}/{first.json()['id']}"
    again = web.client.post(URL, json=body, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = web.client.post(URL, json={**body, "email": "bob@example.com"}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    with web.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TicketRow)) == 1
    # a key belongs to its caller: the same key from someone else is a new request
    mine = web.client.post(URL, json=body, headers={**web.auth("admin"), "Idempotency-Key": key})
    assert mine.status_code == 201 and mine.json()["id"] != first.json()["id"]
    # a refused request gives its key back, so the corrected retry can use it
    bad_key = str(uuid.uuid4())
    refused = web.client.post(
        URL, json={**body, "connections": ["nope"]}, headers={**headers, "Idempotency-Key": bad_key}
    )
    assert refused.status_code == 422
    retried = web.client.post(
        URL, json={**body, "connections": ["nope"]}, headers={**headers, "Idempotency-Key": bad_key}
    )
    assert retried.status_code == 422 and retried.json()["code"] == "bad_input"


def test_bad_input_names_the_field(connected: Web) -> None:
    web, headers = connected, connected.auth("operator")
    answer = web.client.post(
        URL, json={"kind": "erase", "email": "a@example.com", "amplitude_id": "x"}, headers=headers
    )
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"kind", "amplitude_id"}
    assert "erase" not in answer.text  # values are never echoed
    email = web.client.post(URL, json={"kind": "delete", "email": "not an email"}, headers=headers)
    assert email.status_code == 422 and "not a valid email address" in email.json()["detail"]
    paged = web.client.get(URL, params={"limit": 0}, headers=headers)
    assert paged.status_code == 422 and paged.json()["errors"][0] == {
        "field": "limit",
        "location": "query",
        "message": "Input should be greater than or equal to 1",
    }
    cursor = web.client.get(URL, params={"cursor": "garbage!"}, headers=headers)
    assert cursor.status_code == 422 and cursor.json()["detail"].startswith("cursor:")
    status = web.client.get(URL, params={"status": "lost"}, headers=headers)
    assert status.status_code == 422 and status.json()["detail"].startswith("status:")
    key = web.client.post(
        URL,
        json={"kind": "delete", "email": "a@example.com"},
        headers={**headers, "Idempotency-Key": "tab\there"},
    )
    assert key.status_code == 422 and "Idempotency-Key" in key.json()["detail"]


def test_list_filters_and_cursor_paging(connected: Web) -> None:
    web, privacy = connected, connected.services.privacy
    for i in range(7):
        privacy.create(
            kind="copy" if i % 2 else "delete",
            email=f"page{i}@example.com",
            regulation="ccpa" if i < 3 else "gdpr",
            connections=["fs"] if i == 6 else None,
            actor="setup",
        )
    headers = web.auth("viewer")
    seen, cursor = [], None
    while True:
        page = web.client.get(
            URL, params={"limit": 3, **({"cursor": cursor} if cursor else {})}, headers=headers
        ).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7

    def ids(**params: object) -> set[str]:
        return {t["email"] for t in web.client.get(URL, params=params, headers=headers).json()["items"]}

    assert ids(kind="copy") == {"page1@example.com", "page3@example.com", "page5@example.com"}
    assert ids(regulation="ccpa") == {"page0@example.com", "page1@example.com", "page2@example.com"}
    assert ids(q="page4") == {"page4@example.com"}
    assert len(ids(connection="amp")) == 6
    assert ids(overdue=True) == set()
    assert len(ids(due_within_days=31)) == 4  # the GDPR ones; CCPA gives 45 days
    one = web.client.get(URL, params={"q": seen[0].lower()}, headers=headers).json()["items"]
    assert [t["id"] for t in one] == [seen[0]]


def test_a_delete_request_is_followed_to_completion(connected: Web, sandbox) -> None:  # type: ignore[no-untyped-def]
    web, operator = connected, connected.auth("operator")
    person = sandbox.world.person(2)
    ticket = web.client.post(URL, json={"kind": "delete", "email": person.email}, headers=operator).json()
    assert ticket["status"] == "received" and {t["connection"] for t in ticket["tasks"]} == {"fs", "amp"}
    web.drain()
    shown = web.client.get(f"{URL}/{ticket['id'].lower()}", headers=web.auth("viewer")).json()
    assert shown["status"] == "waiting"
    sandbox.clock.advance(days=21)
    done = web.client.post(f"{URL}/{ticket['id']}/refresh", headers=operator).json()
    assert done["status"] == "completed" and done["polled"] >= 1
    trail = web.client.get(f"{URL}/{ticket['id']}/audit", headers=web.auth("viewer")).json()
    assert trail[0]["actor"] == "token:operator-token" and trail[0]["action"] == "dsr.created"
    assert any(e["action"] == "dsr.provider_poll" and e["actor"] == "token:operator-token" for e in trail)
    again = web.client.post(f"{URL}/{ticket['id']}/cancel", json={"reason": "late"}, headers=operator)
    assert again.status_code == 409 and again.json()["exit_code"] == 2
    assert web.client.get(f"{URL}/DSR-NOPE00", headers=operator).status_code == 404


def test_a_copy_request_ends_in_a_downloadable_package(connected: Web, sandbox) -> None:  # type: ignore[no-untyped-def]
    web, operator = connected, connected.auth("operator")
    ticket = web.client.post(
        URL, json={"kind": "copy", "email": sandbox.world.person(1).email}, headers=operator
    ).json()
    early = web.client.get(f"{URL}/{ticket['id']}/package", headers=operator)
    assert early.status_code == 409
    web.drain()
    assert web.client.get(f"{URL}/{ticket['id']}/package", headers=web.auth("viewer")).status_code == 403
    package = web.client.get(f"{URL}/{ticket['id']}/package", headers=operator)
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    assert f'filename="{ticket["id"]}.zip"' in package.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert "manifest.json" in names and "summary.html" in names
    leftovers = [p for p in web.services.settings.home.iterdir() if p.name.startswith("package-")]
    assert leftovers == []  # the file left the server with the response


def test_retry_cancel_and_identity(connected: Web) -> None:
    web, operator = connected, connected.auth("operator")
    ticket = web.client.post(
        URL, json={"kind": "delete", "email": "nobody-here@example.com"}, headers=operator
    ).json()
    nothing = web.client.post(f"{URL}/{ticket['id']}/retry", headers=operator)
    assert nothing.status_code == 409
    identity = web.client.post(
        f"{URL}/{ticket['id']}/identity", json={"connection": "fs", "uid": "usr-000004"}, headers=operator
    )
    assert identity.status_code == 200 and identity.json()["identifiers"] == {"fullstory_uid": "usr-000004"}
    missing = web.client.post(f"{URL}/{ticket['id']}/identity", json={"uid": "x"}, headers=operator)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "connection"
    cancelled = web.client.post(
        f"{URL}/{ticket['id']}/cancel", json={"reason": "asked twice"}, headers=operator
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    no_body = web.client.post(f"{URL}/{ticket['id']}/cancel", headers=operator)
    assert no_body.status_code == 409
    assert (
        web.client.post(
            URL, json={"kind": "delete", "email": "a@example.com"}, headers=web.auth("viewer")
        ).status_code
        == 403
    )


def test_a_csv_import_reports_every_row(connected: Web) -> None:
    web = connected
    text = "email,kind,regulation\nann@example.com,copy,\nnot-an-email,,\nbob@example.com,,ccpa\n"
    answer = web.client.post(
        f"{URL}/import",
        files={"file": ("people.csv", text.encode(), "text/csv")},
        data={"kind": "delete"},
        headers=web.auth("operator"),
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["created"], result["refused"]) == (2, 1)
    assert [(r["line"], r["ok"]) for r in result["rows"]] == [(2, True), (3, False), (4, True)]
    assert "valid email" in result["rows"][1]["error"]
    broken = web.client.post(
        f"{URL}/import",
        files={"file": ("x.csv", b"\xff\xfe\x00garbage", "text/csv")},
        headers=web.auth("operator"),
    )
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("file 'x.csv' is not UTF-8 text: line 1, byte offset 0 (0xff)")
    again = web.client.post(
        f"{URL}/import",
        files={"file": ("people.csv", text.encode(), "text/csv")},
        data={"kind": "delete"},
        headers=web.auth("operator"),
    ).json()
    assert (again["created"], again["duplicates"], again["refused"]) == (0, 2, 1)
    assert [r["ticket"] for r in again["rows"] if r["ok"]] == [r["ticket"] for r in result["rows"] if r["ok"]]
    no_email = web.client.post(
        f"{URL}/import", files={"file": ("x.csv", b"name\nann\n", "text/csv")}, headers=web.auth("operator")
    )
    assert no_email.status_code == 422


def test_a_failed_task_in_a_waiting_ticket_is_listed_and_counted_as_needing_attention(
    connected: Web, sandbox: SandboxServer
) -> None:
    web, viewer, operator = connected, connected.auth("viewer"), connected.auth("operator")
    body = {"kind": "delete", "email": sandbox.world.person(3).email}
    made = web.client.post(URL, json=body, headers=operator).json()
    web.services.connections.disable("fs", actor="setup")  # its task fails; Amplitude's waits
    web.drain()

    shown = web.client.get(f"{URL}/{made['id']}", headers=viewer).json()
    assert shown["status"] == "waiting" and shown["needs_attention"] is True

    def listed(**params: object) -> list[str]:
        answer = web.client.get(URL, params=params, headers=viewer)
        assert answer.status_code == 200, answer.text
        return [t["id"] for t in answer.json()["items"]]

    assert listed(status="failed") == []
    assert listed(needs_attention=True) == [made["id"]]
    browser = web.browser("viewer")
    overview = browser.get("/").text
    card = overview.split('id="needs-attention"', 1)[1].split("</a>", 1)[0]
    assert '<span class="n">1</span>need attention' in card
    assert "1 privacy request(s) with a failed task" in overview
    page = browser.get("/tickets", params={"needs_attention": "true"}).text
    assert (
        made["id"] in page
        and "needs attention" in page
        and 'name="needs_attention" value="true" checked' in page
    )
    detail = browser.get(f"/tickets/{made['id']}").text
    assert 'id="needs-attention">fs failed' in detail and "Retry failed tasks" not in detail  # a viewer
