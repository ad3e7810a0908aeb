"""Jobs and replication over the API: start a sync (a job), read its loading report and extraction log,
and retry a dead job — with any password in a payload masked."""

from __future__ import annotations

from headwater.jobs import EmbeddedWorker
from headwater.jobs.models import DEAD, JobRow
from headwater.store import audit
from headwater.store.models import utcnow
from tests.web.conftest import Web, csrf_of


def test_a_sync_runs_as_a_job_and_leaves_a_loading_report(connected: Web) -> None:
    web, operator, viewer = connected, connected.auth("operator"), connected.auth("viewer")
    refused = web.client.post(
        "/api/v1/connections/fs/syncs", json={"to": "postgresql://me:hunter2@db.example/x"}, headers=operator
    )
    assert (
        refused.status_code == 422
        and "to: the API takes no destination URL" in refused.json()["detail"]
        and "hunter2" not in refused.text
    )
    assert web.client.post("/api/v1/connections/nope/syncs", json={}, headers=operator).status_code == 404
    started = web.client.post(
        "/api/v1/connections/fs/syncs", json={"start_date": "2026-01-01"}, headers=operator
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["kind"] == "sync.run" and job["payload"]["requested_by"] == "token:operator-token"
    EmbeddedWorker(web.services.queue).run(once=True)
    assert web.client.get(f"/api/v1/jobs/{job['id']}", headers=viewer).json()["status"] == "succeeded"
    runs = web.client.get("/api/v1/syncs", params={"connection": "fs"}, headers=viewer).json()
    assert len(runs["items"]) == 1 and runs["next_cursor"] is None
    run = runs["items"][0]
    assert run["status"] == "succeeded" and run["rows"] > 0
    assert web.client.get(f"/api/v1/syncs/{run['id']}", headers=viewer).json()["id"] == run["id"]
    calls = web.client.get(f"/api/v1/syncs/{run['id']}/calls", headers=viewer).json()
    assert calls and all(c["status"] == 200 for c in calls)
    assert web.client.get("/api/v1/syncs/999", headers=viewer).status_code == 404


def test_jobs_are_listed_paged_and_retried(web: Web) -> None:
    with web.services.db.session() as session:
        at = utcnow()
        for i in range(5):
            session.add(
                JobRow(
                    kind="sync.run",
                    payload={"connection": "fs", "to": "postgresql://me:hunter2@db.example/x"},
                    status=DEAD if i == 4 else "succeeded",
                    attempts=5,
                    max_attempts=5,
                    run_at=at,
                    created_at=at,
                    updated_at=at,
                    last_error="boom",
                )
            )
    viewer = web.auth("viewer")
    first = web.client.get("/api/v1/jobs", params={"limit": 3}, headers=viewer).json()
    second = web.client.get(
        "/api/v1/jobs", params={"limit": 3, "cursor": first["next_cursor"]}, headers=viewer
    ).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert (
        "hunter2" not in str(first)
        and first["items"][0]["payload"]["to"] == "postgresql://me:***@db.example/x"
    )
    dead = web.client.get("/api/v1/jobs", params={"status": "dead"}, headers=viewer).json()["items"]
    assert len(dead) == 1
    shown = web.client.get(f"/api/v1/jobs/{dead[0]['id']}", headers=viewer).json()
    assert shown["effects"] == []
    retried = web.client.post(f"/api/v1/jobs/{dead[0]['id']}/retry", headers=web.auth("operator"))
    assert (
        retried.status_code == 200
        and retried.json()["status"] == "queued"
        and retried.json()["attempts"] == 0
    )
    again = web.client.post(f"/api/v1/jobs/{first['items'][-1]['id']}/retry", headers=web.auth("operator"))
    assert again.status_code == 409
    with web.services.db.session() as session:
        entries = audit.trail(session, "job", dead[0]["id"])
    assert [(e.actor, e.action) for e in entries] == [("token:operator-token", "job.retried")]
    assert web.client.get("/api/v1/jobs/99999", headers=viewer).status_code == 404
    assert web.client.get("/api/v1/jobs", params={"status": "lost"}, headers=viewer).status_code == 422


def test_retrying_a_job_needs_the_role_that_starts_its_kind(web: Web) -> None:
    def dead_job(kind: str) -> int:
        with web.services.db.session() as session:
            at = utcnow()
            row = JobRow(
                kind=kind,
                payload={"workflow": "tally"} if kind == "workflows.run" else {"connection": "fs"},
                status=DEAD,
                attempts=5,
                max_attempts=5,
                run_at=at,
                created_at=at,
                updated_at=at,
                last_error="boom",
            )
            session.add(row)
            session.flush()
            return int(row.id)

    def status(job_id: int) -> str:
        return str(web.client.get(f"/api/v1/jobs/{job_id}", headers=web.auth("viewer")).json()["status"])

    workflow_run, sync_run = dead_job("workflows.run"), dead_job("sync.run")
    refused = web.client.post(f"/api/v1/jobs/{workflow_run}/retry", headers=web.auth("operator"))
    assert refused.status_code == 403, refused.text
    assert "needs the admin role" in refused.json()["detail"] and status(workflow_run) == "dead"
    browser = web.browser("operator")
    page = browser.get("/jobs")
    button = browser.post(
        f"/jobs/{workflow_run}/retry", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert button.status_code == 303 and status(workflow_run) == "dead"
    assert "needs the admin role" in browser.get("/jobs").text
    assert web.client.post(f"/api/v1/jobs/{sync_run}/retry", headers=web.auth("operator")).status_code == 200
    assert web.client.post(f"/api/v1/jobs/{workflow_run}/retry", headers=web.auth("admin")).status_code == 200
    assert status(workflow_run) == "queued"
