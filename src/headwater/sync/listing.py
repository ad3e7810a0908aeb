"""Replication runs across connections, newest first and keyset-paged; one run; the newest failures; and
rows loaded per day (the dashboard's chart). Read-only, for the REST API and the dashboard."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from headwater.errors import NotFound
from headwater.store import Database, paging
from headwater.store.models import utcnow
from headwater.sync.history import run_as_dict
from headwater.sync.models import FAILED, SyncRunRow


def page(
    db: Database,
    *,
    connection: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = select(SyncRunRow).order_by(SyncRunRow.id.desc()).limit(limit + 1)
    if connection:
        query = query.where(SyncRunRow.connection == connection)
    after = paging.decode(cursor, (int,))
    if after is not None:
        query = query.where(SyncRunRow.id < after[0])
    with db.session() as session:
        rows = list(session.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        return [run_as_dict(r) for r in rows], paging.encode([rows[-1].id]) if more else None


def get(db: Database, run_id: int) -> dict[str, Any]:
    with db.session() as session:
        row = session.get(SyncRunRow, run_id)
        if row is None:
            raise NotFound(f"There is no sync run {run_id}.", hint="See the replication history.")
        return run_as_dict(row)


def recent_failures(db: Database, limit: int = 5) -> list[dict[str, Any]]:
    with db.session() as session:
        query = select(SyncRunRow).where(SyncRunRow.status == FAILED).order_by(SyncRunRow.id.desc())
        return [run_as_dict(r) for r in session.scalars(query.limit(limit))]


def rows_per_day(db: Database, *, days: int = 30, connection: str | None = None) -> list[tuple[date, int]]:
    """Events loaded per day over the last `days` days (zero-filled), from the runs' loading reports."""
    since = utcnow() - timedelta(days=days - 1)
    start = since.date()
    query = select(SyncRunRow.started_at, SyncRunRow.rows).where(SyncRunRow.started_at >= since)
    if connection:
        query = query.where(SyncRunRow.connection == connection)
    totals: dict[date, int] = defaultdict(int)
    with db.session() as session:
        for started, rows in session.execute(query):
            totals[started.date()] += rows or 0
    return [(start + timedelta(days=i), totals[start + timedelta(days=i)]) for i in range(days)]
