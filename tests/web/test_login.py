"""Browsers: logging in and out, the session cookie, CSRF on every form, and slowing down guessing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from headwater.store import audit
from headwater.store.models import AuditRow
from tests.web.conftest import PASSWORD, Web, csrf_of, email_of, login


def test_pages_send_strangers_to_the_login_form(web: Web) -> None:
    answer = web.client.get("/tickets?status=failed", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/tickets%3Fstatus%3Dfailed"
    live = web.client.get("/jobs", headers={"HX-Request": "true"}, follow_redirects=False)
    assert live.status_code == 401 and live.headers["HX-Redirect"].startswith("/login")


def test_login_sets_a_signed_httponly_samesite_cookie_and_returns_to_the_page(web: Web) -> None:
    client = TestClient(web.app)
    answer = login(client, email_of("operator"), PASSWORD, next_="/tickets")
    assert answer.status_code == 303 and answer.headers["location"] == "/tickets"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("headwater_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=43200" in cookie
    page = client.get("/tickets")
    assert page.status_code == 200 and "operator@example.com" in page.text
    assert client.get("/api/v1/me").json() == {
        "kind": "user",
        "name": "operator@example.com",
        "role": "operator",
    }


def test_a_tampered_cookie_is_no_session(web: Web) -> None:
    client = web.browser("viewer")
    value = client.cookies["headwater_session"]
    client.cookies.set("headwater_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_refuses_a_wrong_password_and_a_foreign_form(web: Web) -> None:
    client = TestClient(web.app)
    wrong = login(client, email_of("admin"), "not the password")
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    assert "headwater_session" not in client.cookies
    forged = client.post(
        "/login",
        data={"email": email_of("admin"), "password": PASSWORD, "login_csrf": "x"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "headwater_session" not in client.cookies
    assert login(client, "nobody@example.com", PASSWORD).status_code == 401


def test_failed_logins_are_rate_limited_per_account(web: Web) -> None:
    client = TestClient(web.app)
    for _ in range(3):  # the fixture allows 3 failures per account
        assert login(client, email_of("admin"), "wrong password!").status_code == 401
    blocked = login(client, email_of("admin"), PASSWORD)
    assert blocked.status_code == 429 and "Too many failed logins" in blocked.text
    assert login(client, email_of("viewer"), PASSWORD).status_code == 303  # other accounts still work
    with web.services.db.session() as session:
        actions = [row.action for row in audit.trail(session, "user", email_of("admin"))]
    assert actions.count("user.login_failed") == 3


def test_logout_ends_the_session_on_the_server(web: Web) -> None:
    client = web.browser("viewer")
    stolen = client.cookies["headwater_session"]
    page = client.get("/")
    assert (
        client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False).status_code
        == 303
    )
    other = TestClient(web.app, cookies={"headwater_session": stolen})
    assert other.get("/", follow_redirects=False).status_code == 303


def test_forms_need_the_session_csrf_token(web: Web) -> None:
    client = web.browser("admin")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": "guess"}, follow_redirects=False).status_code == 403
    refused = client.post("/api/v1/tokens", json={"name": "x", "role": "viewer"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_refused"
    token = csrf_of(client.get("/").text)
    accepted = client.post(
        "/api/v1/tokens", json={"name": "x", "role": "viewer"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 201


def test_a_new_password_ends_every_session(web: Web) -> None:
    from pydantic import SecretStr

    client = web.browser("operator")
    web.services.users.set_password(email_of("operator"), SecretStr("another long password"), actor="admin")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_redirects_only_within_the_site(web: Web) -> None:
    client = TestClient(web.app)
    assert login(client, email_of("viewer"), PASSWORD, next_="//evil.example/").headers["location"] == "/"
    client = TestClient(web.app)
    assert (
        login(client, email_of("viewer"), PASSWORD, next_="https://evil.example/").headers["location"] == "/"
    )


def test_an_email_with_a_control_character_is_a_plain_failed_login(web: Web) -> None:
    client = TestClient(web.app)
    raw = "admin@example.com\u001b[2J\u202e"
    refused = login(client, raw, PASSWORD)
    assert refused.status_code == 401 and "Wrong email or password." in refused.text
    assert "\u001b" not in refused.text and "\u202e" not in refused.text and "[2J" not in refused.text
    assert "headwater_session" not in client.cookies
    with web.services.db.session() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.action == "user.login_failed")).all()
    assert [row.subject_id for row in rows] == ["(refused email)"]
