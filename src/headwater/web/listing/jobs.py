"""Jobs, newest first, paged by id; and the newest failures for the overview."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from headwater.errors import BadInput
from headwater.jobs.models import DEAD, STATUSES, JobRow
from headwater.jobs.views import job_as_dict
from headwater.store import Database
from headwater.web import paging
from headwater.web.redact import scrub


def page(
    db: Database,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    if status is not None and status not in STATUSES:
        raise BadInput(f"status: unknown job status {status!r}.", hint=f"Use one of: {', '.join(STATUSES)}.")
    query = select(JobRow).order_by(JobRow.id.desc()).limit(limit + 1)
    if status:
        query = query.where(JobRow.status == status)
    if kind:
        query = query.where(JobRow.kind == kind)
    after = paging.decode(cursor, (int,))
    if after is not None:
        query = query.where(JobRow.id < after[0])
    with db.session() as session:
        rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return [as_dict(row) for row in rows], paging.encode([rows[-1].id]) if more else None


def as_dict(row: JobRow) -> dict[str, Any]:
    """A job as the job service shows it, with any password in its payload or result masked."""
    data = job_as_dict(row)
    data["payload"] = scrub(data["payload"])
    data["result"] = scrub(data["result"]) if data["result"] is not None else None
    return data


def recent_failures(db: Database, limit: int = 5) -> list[dict[str, Any]]:
    with db.session() as session:
        query = select(JobRow).where(JobRow.status == DEAD).order_by(JobRow.id.desc()).limit(limit)
        return [as_dict(row) for row in session.scalars(query)]
