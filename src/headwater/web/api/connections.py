"""Connections: create (after a live credential test), list, show masked, test, switch, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from headwater.discovery.results import known_data_types
from headwater.privacy import dependents
from headwater.web.api.deps import Svc
from headwater.web.auth.principal import Admin, Operator, Viewer
from headwater.web.problems import documented
from headwater.web.schemas.common import AuditEntry
from headwater.web.schemas.connections import CheckResult, Connection, ConnectionCreate, ConnectionDetail

router = APIRouter(prefix="/connections", tags=["connections"])


@router.get("", response_model=list[Connection], summary="Every connection")
def list_connections(_: Viewer, services: Svc) -> list[dict[str, Any]]:
    return [c.as_dict() for c in services.connections.list_all()]


@router.post(
    "",
    status_code=201,
    response_model=Connection,
    responses=documented(403, 409),
    summary="Create a connection; its credentials are tested live first and nothing is saved if refused",
)
def create_connection(body: ConnectionCreate, principal: Admin, services: Svc) -> dict[str, Any]:
    summary = services.connections.create(
        body.kind,
        body.name,
        credentials=dict(body.credentials),
        settings=body.settings,
        actor=principal.actor,
        transport=services.transport,
    )
    return summary.as_dict()


@router.get(
    "/{name}", response_model=ConnectionDetail, responses=documented(404), summary="One connection, masked"
)
def show_connection(name: str, _: Viewer, services: Svc) -> dict[str, Any]:
    shown = services.connections.show(name)
    return {**shown, "data_types": known_data_types(services.db, name)}


@router.get(
    "/{name}/history",
    response_model=list[AuditEntry],
    responses=documented(404),
    summary="The connection's audit trail",
)
def connection_history(name: str, _: Viewer, services: Svc) -> list[dict[str, Any]]:
    services.connections.get(name)
    return services.connections.history(name)


@router.post(
    "/{name}/test",
    response_model=CheckResult,
    responses=documented(403, 404),
    summary="Check the stored credentials against the provider now",
)
def test_connection(name: str, principal: Operator, services: Svc) -> CheckResult:
    summary = services.connections.test(name, actor=principal.actor, transport=services.transport)
    return CheckResult(
        name=name, kind=summary.kind, ok=True, message=f"{summary.kind} accepted the credentials."
    )


@router.post("/{name}/enable", response_model=Connection, responses=documented(403, 404))
def enable_connection(name: str, principal: Admin, services: Svc) -> dict[str, Any]:
    return services.connections.enable(name, actor=principal.actor).as_dict()


FORCE = Query(default=False, description="Go ahead even if open privacy requests still need it")


@router.post(
    "/{name}/disable",
    response_model=Connection,
    responses=documented(403, 404, 409),
    summary="Stop every call through the connection; 409 naming the open tickets that need it, unless forced",
)
def disable_connection(name: str, principal: Admin, services: Svc, force: bool = FORCE) -> dict[str, Any]:
    services.connections.get(name)
    dependents.check(services.db, name, action="disable", force=force)
    return services.connections.disable(name, actor=principal.actor).as_dict()


@router.delete(
    "/{name}",
    status_code=204,
    responses=documented(403, 404, 409),
    summary="Delete the connection and its stored credentials; 409 naming the open tickets that need it, "
    "unless forced",
)
def delete_connection(name: str, principal: Admin, services: Svc, force: bool = FORCE) -> Response:
    services.connections.get(name)
    dependents.check(services.db, name, action="remove", force=force)
    services.connections.remove(name, actor=principal.actor)
    return Response(status_code=204)
