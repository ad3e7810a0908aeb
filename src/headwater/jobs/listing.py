"""Jobs for the lists people page through: newest first, keyset-paged by id, and the newest failures.

Read-only queries over `jobs` rows, for the dashboard and the REST API; a list costs the same however
deep it is paged.
"""

from __future__ import annotations

from sqlalchemy import select

from headwater.errors import BadInput
from headwater.jobs.models import DEAD, STATUSES, JobRow
from headwater.store import Database, paging


def page(
    db: Database,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
    cursor: str | None = None,
) -> tuple[list[JobRow], str | None]:
    """One page of jobs, newest first, and the cursor of the next page (None: no more)."""
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
    return rows, paging.encode([rows[-1].id]) if more else None


def recent_failures(db: Database, limit: int = 5) -> list[JobRow]:
    """The newest dead jobs."""
    with db.session() as session:
        query = select(JobRow).where(JobRow.status == DEAD).order_by(JobRow.id.desc()).limit(limit)
        return list(session.scalars(query))
