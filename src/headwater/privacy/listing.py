"""Tickets filtered (status, kind, regulation, deadline, connection, email or id, needing attention) and
paged, newest first, plus the counts of the dashboard's overview.

One implementation for both faces: `Privacy.list_tickets` (the CLI's `dsr list`) and the REST API and
dashboard lists all read tickets through it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.sql import Select

from headwater.errors import BadInput
from headwater.privacy import deadlines, intake, states
from headwater.privacy.models import ID_PREFIX, TaskRow, TicketRow, needs_attention
from headwater.privacy.views import ticket_as_dict
from headwater.store import Database, paging
from headwater.store.models import utcnow


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    kind: str | None = None
    regulation: str | None = None
    overdue: bool = False
    due_within_days: int | None = None
    connection: str | None = None
    search: str | None = None  # an email (or its start) or a ticket id
    needs_attention: bool = False  # any task failed or needs input, whatever the ticket's status

    def checked(self) -> TicketFilter:
        for name, value, allowed in (
            ("status", self.status, states.TICKET_STATUSES),
            ("kind", self.kind, intake.KINDS),
            ("regulation", self.regulation, deadlines.REGULATIONS),
        ):
            if value is not None and value not in allowed:
                raise BadInput(
                    f"{name}: unknown {name} {value!r}.", hint=f"Use one of: {', '.join(allowed)}."
                )
        return self


def _filtered(query: Select[Any], flt: TicketFilter, at: datetime) -> Select[Any]:
    if flt.status:
        query = query.where(TicketRow.status == flt.status)
    if flt.kind:
        query = query.where(TicketRow.kind == flt.kind)
    if flt.regulation:
        query = query.where(TicketRow.regulation == flt.regulation)
    if flt.overdue or flt.due_within_days is not None:
        query = query.where(TicketRow.status.not_in(states.CLOSED))
    if flt.overdue:
        query = query.where(TicketRow.due_at < at)
    if flt.due_within_days is not None:
        query = query.where(
            TicketRow.due_at >= at, TicketRow.due_at < at + timedelta(days=flt.due_within_days)
        )
    if flt.needs_attention:
        query = query.where(needs_attention())
    if flt.connection:
        query = query.where(
            exists().where(TaskRow.ticket_id == TicketRow.id, TaskRow.connection == flt.connection)
        )
    text = (flt.search or "").strip()
    if text:
        if text.upper().startswith(ID_PREFIX):
            query = query.where(TicketRow.id == text.upper())
        else:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(TicketRow.email.like(f"{escaped}%", escape="\\"))
    return query


def page(
    db: Database, flt: TicketFilter, *, limit: int = paging.DEFAULT_LIMIT, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of tickets (as the privacy service shows them) and the cursor of the next one."""
    flt = flt.checked()
    at = utcnow()
    query = _filtered(select(TicketRow), flt, at)
    after = paging.decode(cursor, (str, str))
    if after is not None:
        when = _parse(after[0])
        query = query.where(
            or_(TicketRow.received_at < when, and_(TicketRow.received_at == when, TicketRow.id < after[1]))
        )
    query = query.order_by(TicketRow.received_at.desc(), TicketRow.id.desc()).limit(limit + 1)
    with db.session() as session:
        tickets = list(session.scalars(query))
        more = len(tickets) > limit
        tickets = tickets[:limit]
        tasks: dict[str, list[TaskRow]] = {t.id: [] for t in tickets}
        if tickets:
            rows = session.scalars(select(TaskRow).where(TaskRow.ticket_id.in_(tasks)).order_by(TaskRow.id))
            for task in rows:
                tasks[task.ticket_id].append(task)
        items = [ticket_as_dict(t, tasks[t.id], at) for t in tickets]
    last = tickets[-1] if tickets and more else None
    return items, paging.encode([last.received_at.isoformat(), last.id]) if last else None


def _parse(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise paging.BadCursor("cursor: not a cursor this API gave out.") from None


@dataclass(frozen=True)
class Overview:
    open_by_status: dict[str, int]
    overdue: int
    due_soon: int
    failed: int
    #: open tickets with a task that failed or needs input, whatever their own status
    needs_attention: int = 0
    #: of the overdue ones, those a person can move on (the rest wait for a provider)
    overdue_needing_attention: int = 0


def overview(db: Database, *, soon_days: int = 7) -> Overview:
    """Open tickets by status, overdue ones, those due within `soon_days` and those needing attention."""
    at = utcnow()
    open_ = TicketRow.status.not_in(states.CLOSED)
    late = TicketRow.due_at < at
    with db.session() as session:
        by_status = Counter(
            dict(
                session.execute(
                    select(TicketRow.status, func.count()).where(open_).group_by(TicketRow.status)
                ).all()
            )
        )
        overdue = session.scalar(select(func.count()).select_from(TicketRow).where(open_, late))
        soon = session.scalar(
            select(func.count())
            .select_from(TicketRow)
            .where(open_, TicketRow.due_at >= at, TicketRow.due_at < at + timedelta(days=soon_days))
        )
        attention = session.scalar(
            select(func.count()).select_from(TicketRow).where(open_, needs_attention())
        )
        late_attention = session.scalar(
            select(func.count()).select_from(TicketRow).where(open_, late, needs_attention())
        )
    ordered = {s: by_status[s] for s in states.TICKET_STATUSES if s not in states.CLOSED}
    return Overview(
        ordered,
        int(overdue or 0),
        int(soon or 0),
        by_status[states.FAILED],
        needs_attention=int(attention or 0),
        overdue_needing_attention=int(late_attention or 0),
    )
