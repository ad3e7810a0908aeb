"""Who may call what: every operation of the API refuses strangers (401) and roles below its own (403),
and the table below must name every operation, so a new route cannot ship without a decision."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import ROLES, Web

#: the least role each operation needs
NEEDS: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/me"): "viewer",
    ("GET", "/api/v1/connections"): "viewer",
    ("POST", "/api/v1/connections"): "admin",
    ("GET", "/api/v1/connections/{name}"): "viewer",
    ("DELETE", "/api/v1/connections/{name}"): "admin",
    ("GET", "/api/v1/connections/{name}/history"): "viewer",
    ("POST", "/api/v1/connections/{name}/test"): "operator",
    ("POST", "/api/v1/connections/{name}/enable"): "admin",
    ("POST", "/api/v1/connections/{name}/disable"): "admin",
    ("GET", "/api/v1/actions"): "viewer",
    ("GET", "/api/v1/actions/{provider}/{key}"): "viewer",
    ("POST", "/api/v1/connections/{name}/actions/{key}/run"): "operator",
    ("POST", "/api/v1/connections/{name}/actions/{key}/dry-run"): "operator",
    ("GET", "/api/v1/tickets"): "viewer",
    ("POST", "/api/v1/tickets"): "operator",
    ("GET", "/api/v1/tickets/{ticket_id}"): "viewer",
    ("GET", "/api/v1/tickets/{ticket_id}/audit"): "viewer",
    ("GET", "/api/v1/tickets/{ticket_id}/package"): "operator",
    ("POST", "/api/v1/tickets/{ticket_id}/retry"): "operator",
    ("POST", "/api/v1/tickets/{ticket_id}/cancel"): "operator",
    ("POST", "/api/v1/tickets/{ticket_id}/identity"): "operator",
    ("POST", "/api/v1/tickets/{ticket_id}/refresh"): "operator",
    ("POST", "/api/v1/tickets/import"): "operator",
    ("GET", "/api/v1/syncs"): "viewer",
    ("GET", "/api/v1/syncs/{run_id}"): "viewer",
    ("GET", "/api/v1/syncs/{run_id}/calls"): "viewer",
    ("POST", "/api/v1/connections/{name}/syncs"): "operator",
    ("GET", "/api/v1/destinations"): "operator",
    ("GET", "/api/v1/workflows"): "viewer",
    ("POST", "/api/v1/workflows"): "admin",
    ("GET", "/api/v1/workflows/{name}"): "viewer",
    ("DELETE", "/api/v1/workflows/{name}"): "admin",
    ("POST", "/api/v1/workflows/{name}/enable"): "admin",
    ("POST", "/api/v1/workflows/{name}/disable"): "admin",
    ("GET", "/api/v1/workflows/{name}/runs"): "viewer",
    ("POST", "/api/v1/workflows/{name}/runs"): "admin",
    ("GET", "/api/v1/workflow-runs/{run_id}"): "viewer",
    ("GET", "/api/v1/jobs"): "viewer",
    ("GET", "/api/v1/jobs/{job_id}"): "viewer",
    ("POST", "/api/v1/jobs/{job_id}/retry"): "operator",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("PUT", "/api/v1/users/{email}/role"): "admin",
    ("DELETE", "/api/v1/users/{email}"): "admin",
    ("GET", "/api/v1/tokens"): "admin",
    ("POST", "/api/v1/tokens"): "admin",
    ("DELETE", "/api/v1/tokens/{name}"): "admin",
}
OPEN = {("GET", "/healthz"), ("GET", "/readyz")}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def operations(web: Web) -> set[tuple[str, str]]:
    document = web.client.get("/api/v1/openapi.json", headers=web.auth("viewer")).json()
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_the_table_names_every_operation(web: Web) -> None:
    assert operations(web) == set(NEEDS) | OPEN


def test_every_operation_refuses_a_stranger(web: Web) -> None:
    for method, path in sorted(NEEDS):
        answer = web.client.request(method, concrete(path))
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["exit_code"] == 4


def test_a_wrong_or_revoked_token_is_refused(web: Web) -> None:
    assert (
        web.client.get("/api/v1/me", headers={"Authorization": "Bearer hwt_not-a-token"}).status_code == 401
    )
    web.services.tokens.revoke("viewer-token", actor="setup")
    assert web.client.get("/api/v1/me", headers=web.auth("viewer")).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_refuses_a_role_below_its_own(web: Web, role: str) -> None:
    rank = ROLES.index(role)
    for (method, path), needed in sorted(NEEDS.items()):
        if ROLES.index(needed) <= rank:
            continue
        answer = web.client.request(method, concrete(path), headers=web.auth(role))
        assert answer.status_code == 403, (role, method, path, answer.text)
        assert answer.json()["code"] == "forbidden_role"


def test_the_openapi_document_needs_credentials_and_describes_errors(web: Web) -> None:
    assert web.client.get("/api/v1/openapi.json").status_code == 401
    document = web.client.get("/api/v1/openapi.json", headers=web.auth("viewer")).json()
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    assert "Problem" in schemas and "HTTPValidationError" not in schemas
    create = document["paths"]["/api/v1/tickets"]["post"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert "application/problem+json" in create["responses"]["401"]["content"]
    assert {"Idempotency-Key"} <= {p["name"] for p in create["parameters"]}
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_health_is_open_and_readiness_checks_the_store(web: Web) -> None:
    assert web.client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = web.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": "ok"}


def test_unknown_routes_answer_a_problem(web: Web) -> None:
    answer = web.client.get("/api/v1/nothing-here", headers=web.auth("viewer"))
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert answer.json()["exit_code"] == 3
