"""The dashboard rendered on the server: every page for every role, forms with CSRF, what a viewer
may not see or do, live fragments, and pages that stay fast with thousands of tickets."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from headwater.privacy.models import TaskRow, TicketRow
from headwater.store.models import utcnow
from tests.web.conftest import ROLES, Web, csrf_of

PAGES = ["/", "/tickets", "/connections", "/replication", "/workflows", "/jobs", "/api/docs"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role(connected: Web, role: str) -> None:
    client = connected.browser(role)
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert '<a class="skip" href="#content">' in page.text and 'lang="en"' in page.text
    forms = client.get("/tickets/new")
    users = client.get("/users")
    assert forms.status_code == (200 if role != "viewer" else 403)
    assert users.status_code == (200 if role == "admin" else 403)


def test_a_viewer_sees_no_form_that_changes_anything_and_is_refused_anyway(connected: Web) -> None:
    web = connected
    ticket = web.services.privacy.create(kind="delete", email="ann@example.com", actor="setup")
    viewer = web.browser("viewer")
    tickets = viewer.get("/tickets").text
    assert "New request" not in tickets and "/tickets/new" not in tickets
    detail = viewer.get(f"/tickets/{ticket['id']}").text
    assert (
        "Cancel request" not in detail
        and "/cancel" not in detail
        and "Test fs" not in viewer.get("/connections").text
    )
    token = csrf_of(viewer.get("/").text)  # a real session token: only the role stands in the way
    forged = viewer.post(
        "/tickets/new", data={"csrf_token": token, "kind": "delete", "email": "x@example.com"}
    )
    assert forged.status_code == 403 and "operator" in forged.text
    cancel = viewer.post(f"/tickets/{ticket['id']}/cancel", data={"csrf_token": token})
    assert cancel.status_code == 403
    assert web.services.privacy.show(ticket["id"])["status"] == "received"


def test_an_operator_opens_a_request_through_the_form(connected: Web) -> None:
    web = connected
    operator = web.browser("operator")
    form = operator.get("/tickets/new")
    assert '<label for="email">' in form.text and 'id="email"' in form.text
    token = csrf_of(form.text)
    bad = operator.post("/tickets/new", data={"csrf_token": token, "kind": "delete", "email": "nope"})
    assert bad.status_code == 422 and "not a valid email address" in bad.text and 'value="nope"' in bad.text
    made = operator.post(
        "/tickets/new",
        data={
            "csrf_token": token,
            "kind": "copy",
            "email": "ann@example.com",
            "regulation": "ccpa",
            "connections": ["fs"],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = operator.get(made.headers["location"])
    assert "Opened DSR-" in page.text and "ann@example.com" in page.text and "CCPA" in page.text
    assert 'hx-trigger="every 2s"' in page.text  # live while work is going on
    ticket_id = made.headers["location"].rsplit("/", 1)[1]
    assert web.services.privacy.show(ticket_id)["created_by"] == "operator@example.com"
    web.drain()
    live = operator.get(f"/tickets/{ticket_id}/live?seen=received", headers={"HX-Request": "true"})
    assert live.headers["HX-Refresh"] == "true" and "completed" in live.text
    done = operator.get(f"/tickets/{ticket_id}").text
    assert "Download the access package" in done and "hx-trigger" not in done.split("<main")[1]
    package = operator.get(f"/tickets/{ticket_id}/package")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"


def test_ticket_actions_come_back_with_a_message(connected: Web) -> None:
    web = connected
    ticket = web.services.privacy.create(kind="delete", email="nobody-at-all@example.com", actor="setup")
    operator = web.browser("operator")
    token = csrf_of(operator.get(f"/tickets/{ticket['id']}").text)
    retried = operator.post(f"/tickets/{ticket['id']}/retry", data={"csrf_token": token})
    assert "has no failed task to retry" in retried.text
    cancelled = operator.post(
        f"/tickets/{ticket['id']}/cancel", data={"csrf_token": token, "reason": "duplicate"}
    )
    assert "Request cancelled." in cancelled.text and "duplicate" in cancelled.text
    assert operator.post("/tickets/DSR-NOPE00/cancel", data={"csrf_token": token}).status_code == 404


def test_csv_upload_shows_per_row_results(connected: Web) -> None:
    operator = connected.browser("operator")
    token = csrf_of(operator.get("/tickets/import").text)
    answer = operator.post(
        "/tickets/import",
        data={"csrf_token": token, "kind": "delete", "regulation": "gdpr"},
        files={"file": ("people.csv", b"email\nann@example.com\nbroken\n", "text/csv")},
    )
    assert answer.status_code == 200
    assert (
        "1 request(s) opened, 1 row(s) refused" in answer.text and "not a valid email address" in answer.text
    )
    again = operator.post(
        "/tickets/import",
        data={"csrf_token": token, "kind": "delete", "regulation": "gdpr"},
        files={"file": ("people.csv", b"email\nann@example.com\n", "text/csv")},
    )
    assert "0 request(s) opened, 1 duplicate(s) skipped, 0 row(s) refused" in again.text
    assert 'already open: <a href="/tickets/DSR-' in again.text


def test_connection_test_button_answers_a_fragment(connected: Web) -> None:
    operator = connected.browser("operator")
    page = operator.get("/connections")
    assert "Test fs" in page.text and "Disable fs" not in page.text
    token = csrf_of(page.text)
    fragment = operator.post("/connections/fs/test", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert (
        fragment.status_code == 200
        and "Works: fullstory accepted" in fragment.text
        and "<html" not in fragment.text
    )
    plain = operator.post("/connections/amp/test", data={"csrf_token": token})
    assert "amp: Works" in plain.text
    assert operator.post("/connections/fs/disable", data={"csrf_token": token}).status_code == 403
    admin = connected.browser("admin")
    switched = admin.post("/connections/fs/disable", data={"csrf_token": csrf_of(admin.get("/").text)})
    assert "Connection fs disabled." in switched.text and "Enable fs" in switched.text


def test_disabling_a_connection_open_tickets_need_asks_first_naming_them(connected: Web) -> None:
    ticket = connected.services.privacy.create(kind="delete", email="ann@example.com", actor="setup")
    admin = connected.browser("admin")
    page = admin.get("/connections").text
    form = page.split('action="/connections/amp/disable"', 1)[1].split("</form>", 1)[0]
    assert f"still need amp ({ticket['id']})" in form and 'name="force" value="true"' in form
    token = csrf_of(page)
    refused = admin.post("/connections/amp/disable", data={"csrf_token": token})
    assert ticket["id"] in refused.text and "--yes" in refused.text and "Disable amp" in refused.text
    forced = admin.post("/connections/amp/disable", data={"csrf_token": token, "force": "true"})
    assert "Connection amp disabled." in forced.text and ticket["id"] in forced.text


def test_replication_page_has_a_chart_and_the_run_page_a_log(connected: Web) -> None:
    from headwater.jobs import EmbeddedWorker

    web = connected
    operator = web.browser("operator")
    token = csrf_of(operator.get("/replication").text)
    queued = operator.post("/replication/fs/sync", data={"csrf_token": token})
    assert "Sync of fs queued as job" in queued.text
    EmbeddedWorker(web.services.queue).run(once=True)
    page = operator.get("/replication").text
    assert "<svg" in page and 'role="img"' in page and "Events loaded per day" in page
    assert 'class="bar"' in page and "/replication/runs/1" in page
    run = operator.get("/replication/runs/1").text
    assert "Extraction log" in run and "GET http" in run
    jobs = operator.get("/jobs", headers={"HX-Request": "true"}).text
    assert "sync.run" in jobs and "<html" not in jobs


def test_admins_manage_users_on_a_page(web: Web) -> None:
    admin = web.browser("admin")
    token = csrf_of(admin.get("/users").text)
    added = admin.post(
        "/users",
        data={
            "csrf_token": token,
            "email": "dee@example.com",
            "password": "a long password",
            "role": "viewer",
        },
    )
    assert "Added dee@example.com as viewer." in added.text
    changed = admin.post(
        "/users/role", data={"csrf_token": token, "email": "dee@example.com", "role": "operator"}
    )
    assert "dee@example.com is now operator." in changed.text
    removed = admin.post("/users/remove", data={"csrf_token": token, "email": "dee@example.com"})
    assert "Removed dee@example.com." in removed.text
    last = admin.post("/users/remove", data={"csrf_token": token, "email": "admin@example.com"})
    assert "only admin" in last.text


def test_pages_stay_fast_with_thousands_of_tickets(web: Web) -> None:
    at = utcnow()
    tasks = []
    with web.services.db.session() as session:
        for i in range(3000):
            received = at - timedelta(minutes=i)
            ticket_id = f"DSR-{i:06d}"
            session.add(
                TicketRow(
                    id=ticket_id,
                    kind="delete" if i % 3 else "copy",
                    email=f"user{i}@example.com",
                    identifiers={},
                    regulation="gdpr",
                    received_at=received,
                    due_at=received + timedelta(days=30 if i % 10 else -1),
                    status=("waiting", "completed", "failed", "in_progress")[i % 4],
                    created_by="setup",
                    created_at=received,
                    updated_at=received,
                )
            )
            tasks.append(
                TaskRow(ticket_id=ticket_id, connection="fs", provider="fullstory", status="waiting")
            )
        session.flush()
        session.add_all(tasks)
    viewer = web.browser("viewer")
    for path in [
        "/",
        "/tickets",
        "/tickets?status=failed&kind=copy",
        "/tickets?overdue=true",
        "/tickets?q=user2999",
    ]:
        started = time.perf_counter()
        page = viewer.get(path)
        took = time.perf_counter() - started
        assert page.status_code == 200 and took < 1.0, (path, took)
    listing = viewer.get("/tickets").text
    assert listing.count('<a href="/tickets/DSR-') == 50 and "Next page" in listing
