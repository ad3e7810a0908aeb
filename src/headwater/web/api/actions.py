"""Actions: the catalogue (by provider, connection or intent), their schemas, runs and dry runs.

Who may run what follows the action's own hints: read-only ones need an operator, anything that may
change provider data an admin, and a destructive one also `confirm: true` (the CLI's `--yes`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from headwater.accounts.roles import Role
from headwater.actions.catalogue import all_actions, find_action
from headwater.actions.intent import rank
from headwater.actions.local_files import Face
from headwater.actions.runner import RunOptions, run_on_connection
from headwater.errors import BadInput
from headwater.web.api.deps import Svc
from headwater.web.auth.principal import Forbidden, Operator, Viewer
from headwater.web.problems import documented
from headwater.web.schemas.actions import (
    ActionDetail,
    ActionResult,
    ActionRun,
    ActionSummary,
    DryRun,
    DryRunResult,
)
from headwater.web.schemas.common import Line

router = APIRouter(tags=["actions"])


@router.get(
    "/actions", response_model=list[ActionSummary], responses=documented(404), summary="The action catalogue"
)
def list_actions(
    _: Viewer,
    services: Svc,
    provider: Line | None = Query(default=None, max_length=40, description="Only this provider's"),
    connection: Line | None = Query(default=None, max_length=100, description="Only those usable here"),
    intent: Line | None = Query(
        default=None, max_length=500, description="Rank by relevance, e.g. 'remove a person'"
    ),
) -> list[dict[str, Any]]:
    if provider and connection:
        raise BadInput("Give provider or connection, not both.")
    if connection:
        provider = services.connections.get(connection).kind
    actions = all_actions(provider)
    scored = rank(intent, actions) if intent else [(a, None) for a in actions]
    return [{**_summary(a.describe()), "score": score} for a, score in scored]


def _summary(described: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in described.items() if k not in ("input_schema", "output_schema")}


@router.get(
    "/actions/{provider}/{key}",
    response_model=ActionDetail,
    responses=documented(404),
    summary="One action with its input and output JSON Schemas",
)
def show_action(provider: str, key: str, _: Viewer) -> dict[str, Any]:
    return find_action(provider, key).describe()


@router.post(
    "/connections/{name}/actions/{key}/run",
    response_model=ActionResult,
    responses=documented(403, 404, 502, 503),
    summary="Run an action on a connection",
)
def run_action(name: str, key: str, body: ActionRun, principal: Operator, services: Svc) -> dict[str, Any]:
    action = find_action(services.connections.get(name).kind, key)
    if not action.read_only and not principal.role.allows(Role.ADMIN):
        raise Forbidden(f"{key} may change data in the provider: running it needs the admin role.")
    action.parse_input(body.input, face=Face.WEB)
    if action.destructive and not body.confirm:
        raise BadInput(
            f"confirm: {key} is destructive ({action.description}); send confirm: true to run it.",
            hint="Or use the dry-run endpoint to see the request first.",
        )
    options = RunOptions(face=Face.WEB, transport=services.transport, limit=body.limit)
    result = run_on_connection(
        services.connections, name, key, body.input, actor=principal.actor, options=options
    )
    return result.as_dict()


@router.post(
    "/connections/{name}/actions/{key}/dry-run",
    response_model=DryRunResult,
    responses=documented(403, 404),
    summary="The first HTTP request the action would send, secrets masked; nothing is sent",
)
def dry_run_action(name: str, key: str, body: DryRun, principal: Operator, services: Svc) -> dict[str, Any]:
    options = RunOptions(face=Face.WEB, dry_run=True)
    result = run_on_connection(
        services.connections, name, key, body.input, actor=principal.actor, options=options
    )
    return result.as_dict()
