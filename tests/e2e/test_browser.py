"""A privacy officer's day in a real browser: log in, delete a person by email and watch it complete,
read the audit trail; copy a person's data and download the package; and a viewer who can neither see
the delete form nor get a forged one accepted. Every main page is saved as a screenshot."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, Site, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),  # one worker, one after another: the browser is torn down after
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]


def shot(page: Page, site: Site, name: str) -> None:
    page.screenshot(path=str(site.shots / f"{name}.png"), full_page=True)


def open_request(page: Page, kind: str, email: str) -> str:
    page.goto("/tickets")
    page.get_by_role("link", name="New request").click()
    page.get_by_label("Delete their data" if kind == "delete" else "A copy of their data").check()
    page.get_by_label("The person's email").fill(email)
    page.get_by_role("button", name="Open the request").click()
    expect(page.get_by_role("status")).to_contain_text("Opened DSR-")
    return page.url.rsplit("/", 1)[1]


def test_an_officer_deletes_a_person_and_reads_the_audit_trail(page: Page, site: Site) -> None:
    page.goto("/tickets")
    expect(page).to_have_url(re.compile(r"/login\?next=/tickets"))
    shot(page, site, "login")
    log_in(page, site, "operator")
    shot(page, site, "overview")
    person = site.sandbox.world.person(5)
    ticket = open_request(page, "delete", person.email)
    summary = page.locator("#live")
    # no reload by hand: the page follows the work until Amplitude's deletion job is waiting
    expect(summary.get_by_text("waiting").first).to_be_visible(timeout=20_000)
    shot(page, site, "ticket-waiting")
    site.sandbox.clock.advance(days=21)  # FullStory purges; Amplitude's job runs and its backups expire
    page.get_by_role("button", name="Check providers now").click()
    expect(page.locator("#live dl").get_by_text("completed")).to_be_visible()
    trail = page.get_by_role("region", name="Audit trail")
    expect(trail).to_contain_text("operator@example.com")
    expect(trail).to_contain_text("created")
    expect(trail).to_contain_text("provider_poll")
    shot(page, site, "ticket-completed")
    page.goto(f"/tickets?q={person.email}")
    expect(page.get_by_role("link", name=ticket)).to_be_visible()
    shot(page, site, "tickets")


def test_an_officer_downloads_a_copy_package(page: Page, site: Site) -> None:
    log_in(page, site, "operator")
    open_request(page, "copy", site.sandbox.world.person(6).email)
    download_link = page.get_by_role("link", name="Download the access package")
    expect(download_link).to_be_visible(timeout=20_000)  # the page reloads itself once the copy is done
    with page.expect_download() as event:
        download_link.click()
    path = event.value.path()
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["kind"] == "copy" and manifest["counts"]["records"] > 0
    assert event.value.suggested_filename.startswith("DSR-")


def test_a_viewer_sees_no_delete_form_and_a_forged_post_is_refused(page: Page, site: Site) -> None:
    log_in(page, site, "viewer")
    page.goto("/tickets")
    expect(page.get_by_role("link", name="New request")).to_have_count(0)
    answer = page.goto("/tickets/new")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("alert")).to_contain_text("needs the operator role")
    page.goto("/")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    forged = page.request.post(
        "/tickets/new", form={"csrf_token": token or "", "kind": "delete", "email": "victim@example.com"}
    )
    assert forged.status == 403
    api = page.request.post(
        "/api/v1/tickets",
        data={"kind": "delete", "email": "victim@example.com"},
        headers={"X-CSRF-Token": token or ""},
    )
    assert api.status == 403
    assert not site.app.state.services.privacy.list_tickets() or all(
        t["email"] != "victim@example.com" for t in site.app.state.services.privacy.list_tickets()
    )


def test_every_main_page_renders_and_is_saved(page: Page, site: Site) -> None:
    log_in(page, site, "admin")
    page.goto("/replication")
    page.get_by_role("button", name="Sync fs").click()
    expect(page.get_by_role("status")).to_contain_text("Sync of fs queued as job")
    for _ in range(40):  # the embedded worker runs it; the report appears when it is done
        page.goto("/replication")
        if page.get_by_role("link", name="#1").count():
            break
        page.wait_for_timeout(250)
    page.get_by_role("link", name="#1").click()
    expect(page.get_by_role("heading", level=2, name="Extraction log")).to_be_visible()
    shot(page, site, "replication-run")
    for path, name, heading in [
        ("/connections", "connections", "Connections"),
        ("/replication", "replication", "Replication"),
        ("/workflows", "workflows", "Workflows"),
        ("/jobs", "jobs", "Background jobs"),
        ("/users", "users", "Users"),
        ("/tickets/new", "new-request", "New privacy request"),
        ("/tickets/import", "upload", "Upload requests from a CSV file"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        shot(page, site, name)
    page.goto("/connections")
    page.get_by_role("button", name="Test fs").click()
    expect(page.get_by_role("row", name=re.compile(r"^fs ")).get_by_role("status")).to_contain_text("Works")
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Headwater")  # no CDN: served here
    shot(page, site, "api-docs")
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/tickets")
    shot(page, site, "tickets-phone")
