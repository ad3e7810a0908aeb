"""Workflows over the API and on pages: added from YAML (every problem listed), run by an admin as a job,
with runs and step logs to read; who asked for a run is in the audit trail."""

from __future__ import annotations

from headwater.jobs import EmbeddedWorker
from headwater.store import audit
from tests.web.conftest import Web, csrf_of

WORKFLOW = """\
name: tally
description: Adds numbers up and keeps the total.
on:
  manual: true
inputs:
  numbers: {type: list, default: [1, 2, 3]}
steps:
  - id: total
    uses: set-state
    with:
      total: "{{ inputs.numbers | sum }}"
"""


def test_add_run_and_read_a_workflow(web: Web) -> None:
    admin, viewer = web.auth("admin"), web.auth("viewer")
    added = web.client.post("/api/v1/workflows", json={"yaml": WORKFLOW}, headers=admin)
    assert added.status_code == 201, added.text
    assert added.json()["created"] is True and added.json()["manual"] is True
    assert (
        web.client.post(
            "/api/v1/workflows", json={"yaml": WORKFLOW}, headers=web.auth("operator")
        ).status_code
        == 403
    )
    broken = web.client.post(
        "/api/v1/workflows", json={"yaml": "name: x\nsteps: [{uses: nope/nothing}]\n"}, headers=admin
    )
    assert broken.status_code == 422 and broken.json()["code"] == "invalid_workflow"
    assert broken.json()["errors"] and all(e["location"] == "body" for e in broken.json()["errors"])
    assert [w["name"] for w in web.client.get("/api/v1/workflows", headers=viewer).json()] == ["tally"]
    assert "sum" in web.client.get("/api/v1/workflows/tally", headers=viewer).json()["source"]
    started = web.client.post(
        "/api/v1/workflows/tally/runs", json={"inputs": {"numbers": [4, 5]}}, headers=admin
    )
    assert started.status_code == 202 and started.json()["status"] == "queued"
    EmbeddedWorker(web.services.queue).run(once=True)
    run_id = started.json()["id"]
    log = web.client.get(f"/api/v1/workflow-runs/{run_id}", headers=viewer).json()
    assert log["status"] == "succeeded" and [s["step"] for s in log["steps"]] == ["total"]
    assert web.client.get("/api/v1/workflows/tally", headers=viewer).json()["state"] == {"total": 9}
    runs = web.client.get("/api/v1/workflows/tally/runs", headers=viewer).json()
    assert [r["id"] for r in runs] == [run_id]
    assert web.client.post("/api/v1/workflows/tally/disable", headers=admin).json()["enabled"] is False
    refused = web.client.post("/api/v1/workflows/tally/runs", headers=admin)
    assert refused.status_code == 422 and "disabled" in refused.json()["detail"]
    with web.services.db.session() as session:
        trail = [(e.actor, e.action) for e in audit.trail(session, "workflow", "tally")]
    assert ("token:admin-token", "workflow.run_requested") in trail
    assert trail[0] == ("token:admin-token", "workflow.added")
    assert web.client.delete("/api/v1/workflows/tally", headers=admin).status_code == 204
    assert web.client.get("/api/v1/workflows/tally", headers=viewer).status_code == 404
    assert web.client.get("/api/v1/workflow-runs/999", headers=viewer).status_code == 404


def test_a_workflow_whose_aliases_nest_too_deep_is_a_422(web: Web) -> None:
    chain = [f"  x0: &x0 {'[' * 45}1{']' * 45}"] + [
        f"  x{n}: &x{n} {'[' * 45}*x{n - 1}{']' * 45}" for n in range(1, 40)
    ]
    text = "name: deep\non: {manual: true}\nsteps: [{id: a, uses: fail}]\njunk:\n" + "\n".join(chain) + "\n"
    answer = web.client.post("/api/v1/workflows", json={"yaml": text}, headers=web.auth("admin"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_workflow"
    assert "nested more than 50 levels deep once the aliases" in answer.text


def test_workflow_pages(web: Web) -> None:
    web.client.post("/api/v1/workflows", json={"yaml": WORKFLOW}, headers=web.auth("admin"))
    viewer = web.browser("viewer")
    listing = viewer.get("/workflows").text
    assert "tally" in listing and "on demand" in listing
    assert "Run tally now" not in viewer.get("/workflows/tally").text
    admin = web.browser("admin")
    page = admin.get("/workflows/tally")
    queued = admin.post("/workflows/tally/run", data={"csrf_token": csrf_of(page.text)})
    assert queued.status_code == 200 and "queued" in queued.text and 'hx-trigger="every 2s"' in queued.text
    EmbeddedWorker(web.services.queue).run(once=True)
    done = admin.get(str(queued.url)).text
    assert "succeeded" in done and "set-state" in done and "hx-trigger" not in done.split("<main")[1]
    assert viewer.post("/workflows/tally/run", data={"csrf_token": csrf_of(listing)}).status_code == 403
