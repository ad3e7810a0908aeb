"""Connections and actions over the API: credentials tested before saving and never shown again; actions
run by role and hints, with their schemas in the catalogue."""

from __future__ import annotations

from typing import Any

from headwater.sandbox import SandboxServer
from headwater.store import audit
from tests.web.conftest import Web


def _create(web: Web, sandbox: SandboxServer, name: str, key: str, role: str = "admin") -> Any:
    body = {
        "kind": "fullstory",
        "name": name,
        "credentials": {"api_key": key},
        "settings": {"base_url": sandbox.fullstory_url},
    }
    return web.client.post("/api/v1/connections", json=body, headers=web.auth(role))


def test_a_connection_is_saved_only_after_a_live_test(web: Web, sandbox: SandboxServer) -> None:
    key = sandbox.credentials.fullstory_admin_key
    made = _create(web, sandbox, "fs", key)
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "fs" and key not in made.text
    refused = _create(web, sandbox, "fs2", sandbox.credentials.fullstory_standard_key)
    problem = refused.json()
    assert refused.status_code == 422 and problem["exit_code"] == 4 and "Not saved" in problem["detail"]
    assert sandbox.credentials.fullstory_standard_key not in refused.text
    assert _create(web, sandbox, "fs", key).status_code == 409
    assert _create(web, sandbox, "fs3", key, role="operator").status_code == 403
    missing = web.client.post(
        "/api/v1/connections", json={"kind": "fullstory", "name": "x"}, headers=web.auth("admin")
    )
    assert missing.status_code == 422 and [e["field"] for e in missing.json()["errors"]] == ["credentials"]
    names = [c["name"] for c in web.client.get("/api/v1/connections", headers=web.auth("viewer")).json()]
    assert names == ["fs"]


def test_show_test_switch_and_delete(connected: Web) -> None:
    web, viewer, admin = connected, connected.auth("viewer"), connected.auth("admin")
    shown = web.client.get("/api/v1/connections/amp", headers=viewer).json()
    assert shown["credentials"] == {"api_key": "********0001", "secret_key": "********ey01"}
    assert shown["data_types"] == []  # no discovery scan yet
    assert web.client.get("/api/v1/connections/nope", headers=viewer).status_code == 404
    tested = web.client.post("/api/v1/connections/fs/test", headers=web.auth("operator"))
    assert tested.status_code == 200 and tested.json()["ok"] is True
    assert web.client.post("/api/v1/connections/fs/disable", headers=admin).json()["enabled"] is False
    assert web.client.post("/api/v1/connections/fs/enable", headers=admin).json()["enabled"] is True
    history = web.client.get("/api/v1/connections/fs/history", headers=viewer).json()
    assert [(e["action"], e["actor"]) for e in history][-3:] == [
        ("connection.tested", "token:operator-token"),
        ("connection.disabled", "token:admin-token"),
        ("connection.enabled", "token:admin-token"),
    ]
    assert web.client.delete("/api/v1/connections/amp", headers=admin).status_code == 204
    assert web.client.get("/api/v1/connections/amp", headers=viewer).status_code == 404


def test_removing_or_disabling_a_connection_open_tickets_need_is_409_naming_them(
    connected: Web, sandbox: SandboxServer
) -> None:
    web, admin, operator = connected, connected.auth("admin"), connected.auth("operator")
    body = {"kind": "delete", "email": sandbox.world.person(4).email, "connections": ["amp"]}
    ticket = web.client.post("/api/v1/tickets", json=body, headers=operator).json()
    web.drain()
    for refused in (
        web.client.post("/api/v1/connections/amp/disable", headers=admin),
        web.client.delete("/api/v1/connections/amp", headers=admin),
    ):
        problem = refused.json()
        assert refused.status_code == 409 and problem["code"] == "connection_in_use"
        assert problem["tickets"] == [ticket["id"]] and ticket["id"] in problem["detail"]
    assert web.client.get("/api/v1/connections/amp", headers=admin).json()["enabled"] is True
    assert "tickets" not in web.client.get("/api/v1/connections/nope", headers=admin).json()
    forced = web.client.post("/api/v1/connections/amp/disable", params={"force": True}, headers=admin)
    assert forced.status_code == 200 and forced.json()["enabled"] is False
    gone = web.client.delete("/api/v1/connections/amp", params={"force": "true"}, headers=admin)
    assert gone.status_code == 204
    refreshed = web.client.post(f"/api/v1/tickets/{ticket['id']}/refresh", headers=operator).json()
    assert refreshed["status"] == "failed" and refreshed["needs_attention"] is True
    assert refreshed["polled"] == 0 and [f["permanent"] for f in refreshed["poll_failures"]] == [True]
    assert "'amp' was removed" in refreshed["poll_failures"][0]["error"]


def test_the_catalogue_with_intent_and_schemas(connected: Web) -> None:
    web, viewer = connected, connected.auth("viewer")
    everything = web.client.get("/api/v1/actions", headers=viewer).json()
    assert {a["provider"] for a in everything} == {"fullstory", "amplitude"}
    ranked = web.client.get(
        "/api/v1/actions", params={"connection": "fs", "intent": "remove a person"}, headers=viewer
    ).json()
    assert ranked[0]["key"] == "delete-user" and ranked[0]["score"] > 0
    shown = web.client.get("/api/v1/actions/fullstory/list-users", headers=viewer).json()
    assert shown["read_only"] is True and "properties" in shown["input_schema"]
    assert web.client.get("/api/v1/actions/fullstory/no-such", headers=viewer).status_code == 404
    both = web.client.get(
        "/api/v1/actions", params={"connection": "fs", "provider": "amplitude"}, headers=viewer
    )
    assert both.status_code == 422


def test_actions_run_by_role_and_hints(connected: Web) -> None:
    web = connected
    listed = web.client.post(
        "/api/v1/connections/fs/actions/list-users/run",
        json={"input": {}, "limit": 2},
        headers=web.auth("operator"),
    )
    assert listed.status_code == 200, listed.text
    users = listed.json()["output"]["users"]
    assert len(users) == 2
    bad = web.client.post(
        "/api/v1/connections/fs/actions/create-annotation/run",
        json={"input": {"text": "x" * 201}},
        headers=web.auth("admin"),
    )
    assert bad.status_code == 422 and "text" in bad.json()["detail"]
    writes = web.client.post(
        "/api/v1/connections/fs/actions/create-annotation/run",
        json={"input": {"text": "Release"}},
        headers=web.auth("operator"),
    )
    assert writes.status_code == 403
    target = {"input": {"id": users[0]["id"]}}
    unconfirmed = web.client.post(
        "/api/v1/connections/fs/actions/delete-user/run", json=target, headers=web.auth("admin")
    )
    assert unconfirmed.status_code == 422 and unconfirmed.json()["detail"].startswith("confirm:")
    dry = web.client.post(
        "/api/v1/connections/fs/actions/delete-user/dry-run", json=target, headers=web.auth("operator")
    )
    assert dry.status_code == 200 and dry.json()["request"]["method"] == "DELETE"
    assert dry.json()["request"]["headers"]["authorization"] == "[redacted]"
    done = web.client.post(
        "/api/v1/connections/fs/actions/delete-user/run",
        json={**target, "confirm": True},
        headers=web.auth("admin"),
    )
    assert done.status_code == 200, done.text
    with web.services.db.session() as session:
        entries = [(e.actor, e.action) for e in audit.trail(session, "connection", "fs")]
    assert ("token:admin-token", "action.run") in entries
