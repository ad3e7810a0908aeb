"""The REST API under /api/v1: one router per resource, each a thin call into a service."""

from __future__ import annotations

from fastapi import APIRouter

from headwater.web.api import (
    accounts,
    actions,
    connections,
    jobs,
    me,
    syncs,
    ticket_actions,
    tickets,
    workflows,
)
from headwater.web.openapi import PREFIX


def router() -> APIRouter:
    api = APIRouter(prefix=PREFIX)
    for module in (me, connections, actions, tickets, ticket_actions, syncs, workflows, jobs, accounts):
        api.include_router(module.router)
    return api
