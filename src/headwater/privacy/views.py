"""Tickets and tasks as plain dicts: the one shape `--json`, the table views and the REST API share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from headwater.privacy import deadlines, states
from headwater.privacy.models import TaskRow, TicketRow
from headwater.privacy.replica_models import REPLICA


def task_as_dict(task: TaskRow) -> dict[str, Any]:
    return {
        "id": task.id,
        "connection": task.connection,
        "provider": task.provider,
        "status": task.status,
        "attempts": task.attempts,
        "last_error": task.last_error,
        "records": task.records,
        "counts": task.counts,
        "identities": [i.get("label", i.get("id")) for i in task.identities],
        # a replica task's place (`erasure`): Headwater's own copy of the connection's events
        "replica": task.counts.get("replica") if task.provider == REPLICA else None,
        "updated_at": task.updated_at,
        "finished_at": task.finished_at,
    }


def ticket_as_dict(ticket: TicketRow, tasks: list[TaskRow], at: datetime) -> dict[str, Any]:
    closed = ticket.status in states.CLOSED
    return {
        "id": ticket.id,
        "kind": ticket.kind,
        "status": ticket.status,
        "needs_attention": states.needs_attention(t.status for t in tasks),
        "email": ticket.email,
        "identifiers": ticket.identifiers,
        "regulation": ticket.regulation,
        "received_at": ticket.received_at,
        "due_at": ticket.due_at,
        "days_left": None if closed else deadlines.days_left(ticket.due_at, at),
        "overdue": deadlines.is_overdue(ticket.due_at, at, closed=closed),
        "records": sum(t.records for t in tasks if t.provider != REPLICA),
        "replica_rows": sum(t.records for t in tasks if t.provider == REPLICA),
        "created_by": ticket.created_by,
        "created_at": ticket.created_at,
        "closed_at": ticket.closed_at,
        "tasks": [task_as_dict(t) for t in tasks],
    }
