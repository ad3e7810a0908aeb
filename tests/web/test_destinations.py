"""Sync destinations over the web: a name an admin defined, never a URL an operator chose — so nobody
on the web decides which database the server connects to or which file it creates — and a failing
destination's replies are shown to admins only."""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.jobs import EmbeddedWorker
from headwater.store.models import utcnow
from headwater.sync.models import FAILED, SyncRunRow
from headwater.sync.target import default_duckdb_path
from tests.web.conftest import Web, csrf_of

START = {"start_date": "2026-01-01"}


def _start(web: Web, body: dict[str, object], role: str = "operator") -> object:
    return web.client.post("/api/v1/connections/fs/syncs", json=body, headers=web.auth(role))


def _sync_jobs(web: Web) -> list[dict[str, object]]:
    listed = web.client.get("/api/v1/jobs", params={"kind": "sync.run"}, headers=web.auth("admin"))
    items: list[dict[str, object]] = listed.json()["items"]
    return items


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_the_api_takes_a_destination_name_never_a_url(connected: Web, tmp_path: Path, role: str) -> None:
    planted = tmp_path / "planted.duckdb"
    for to in ("postgresql://postgres@127.0.0.1:5432/postgres", f"duckdb://{planted}", str(planted)):
        refused = _start(connected, {"to": to, **START}, role)
        assert refused.status_code == 422, refused.text  # type: ignore[attr-defined]
        assert "takes no destination URL" in refused.json()["detail"]  # type: ignore[attr-defined]
    for name in ("postgresql://postgres@127.0.0.1/postgres", f"duckdb://{planted}", str(planted), "../x"):
        refused = _start(connected, {"destination": name}, role)
        assert refused.status_code == 422, refused.text  # type: ignore[attr-defined]
        assert "not a destination name" in refused.json()["detail"]  # type: ignore[attr-defined]
    assert _start(connected, {"destination": "warehouse"}, role).status_code == 404  # type: ignore[attr-defined]
    EmbeddedWorker(connected.services.queue).run(once=True)
    assert _sync_jobs(connected) == [] and not planted.exists()


def test_an_operator_syncs_into_a_destination_an_admin_defined(connected: Web, tmp_path: Path) -> None:
    web = connected
    lake = tmp_path / "lake.duckdb"
    web.services.destinations.add("lake", f"duckdb://{lake}", actor="admin@example.com")
    listed = web.client.get("/api/v1/destinations", headers=web.auth("operator"))
    assert [(d["name"], d["kind"]) for d in listed.json()] == [("lake", "duckdb")]
    assert web.client.get("/api/v1/destinations", headers=web.auth("viewer")).status_code == 403
    started = _start(web, {"destination": "lake", **START})
    assert started.status_code == 202, started.text  # type: ignore[attr-defined]
    assert started.json()["payload"]["destination"] == "lake"  # type: ignore[attr-defined]
    assert _start(web, {"to": None, **START}).status_code == 202  # type: ignore[attr-defined]  # the default
    EmbeddedWorker(web.services.queue).run(once=True)
    assert [job["status"] for job in _sync_jobs(web)] == ["succeeded", "succeeded"]
    runs = web.client.get("/api/v1/syncs", headers=web.auth("viewer")).json()["items"]
    assert [run["destination"] for run in runs] == [
        f"duckdb://{default_duckdb_path(web.services.settings.home, 'fs')}",
        f"duckdb://{lake}",
    ]
    assert lake.exists()


def test_the_dashboard_offers_the_named_destinations_only(connected: Web, tmp_path: Path) -> None:
    web = connected
    web.services.destinations.add("lake", f"duckdb://{tmp_path / 'lake.duckdb'}", actor="admin@example.com")
    browser = web.browser("operator")
    page = browser.get("/replication")
    assert '<option value="lake">lake (duckdb)</option>' in page.text
    token = csrf_of(page.text)
    planted = tmp_path / "planted.duckdb"
    refused = browser.post(
        "/replication/fs/sync", data={"csrf_token": token, "destination": f"duckdb://{planted}"}
    )
    assert "not a destination name" in refused.text and _sync_jobs(web) == []
    queued = browser.post("/replication/fs/sync", data={"csrf_token": token, "destination": "lake"})
    assert "queued as job" in queued.text
    assert [job["payload"]["destination"] for job in _sync_jobs(web)] == ["lake"]  # type: ignore[index]


def test_a_failing_destination_is_explained_to_admins_only(connected: Web) -> None:
    web = connected
    web.services.destinations.add("broken", "postgresql://loader:pw@127.0.0.1:9/x", actor="admin@example.com")
    job = _start(web, {"destination": "broken"}).json()  # type: ignore[attr-defined]
    EmbeddedWorker(web.services.queue).run(once=True)
    with web.services.db.session() as session:
        session.add(
            SyncRunRow(
                connection="fs",
                kind="fullstory",
                destination="postgresql://loader:***@10.0.0.7:5432/x",
                status=FAILED,
                started_at=utcnow(),
                error="OperationalError: server at 10.0.0.7:5432 says: FATAL role loader does not exist",
            )
        )
    run = web.client.get("/api/v1/syncs", headers=web.auth("admin")).json()["items"][0]
    detailed = web.client.get(f"/api/v1/jobs/{job['id']}", headers=web.auth("admin")).json()
    assert (
        "Cannot connect to the destination" in detailed["last_error"]
        and "127.0.0.1:9" in detailed["last_error"]
    )
    assert "role loader does not exist" in run["error"]
    for role in ("viewer", "operator"):
        shown = web.client.get(f"/api/v1/jobs/{job['id']}", headers=web.auth(role)).json()
        assert shown["last_error"] == f"The sync failed; an admin can read why in job {job['id']}."
        listed = web.client.get("/api/v1/jobs", headers=web.auth(role)).text
        one = web.client.get(f"/api/v1/syncs/{run['id']}", headers=web.auth(role)).json()
        assert one["error"] == f"The sync failed; an admin can read why in sync run #{run['id']}."
        browser = web.browser(role)
        pages = [browser.get(path).text for path in ("/", "/jobs", f"/replication/runs/{run['id']}")]
        for text in (listed, *pages):
            assert "Cannot connect" not in text and "does not exist" not in text
        assert "an admin can read why" in pages[0]
    admin_page = web.browser("admin").get(f"/replication/runs/{run['id']}").text
    assert "role loader does not exist" in admin_page
