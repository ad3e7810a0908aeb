"""The dashboard: server-rendered pages (Jinja2) made live with HTMX; no Node build anywhere."""

from __future__ import annotations

from fastapi import APIRouter

from headwater.web.dashboard import (
    connections,
    docs,
    jobs,
    login,
    overview,
    replication,
    ticket_forms,
    tickets,
    users,
    workflows,
)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    for module in (
        login,
        overview,
        ticket_forms,
        tickets,
        connections,
        replication,
        workflows,
        jobs,
        users,
        docs,
    ):
        pages.include_router(module.router)
    return pages
