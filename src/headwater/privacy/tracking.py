"""Every change to a ticket goes through here: task moves, the derived ticket status, and the audit trail,
all in the caller's transaction so a change and its explanation commit together.

Work on one ticket can come from several workers at once (one per connection); each transaction that
moves a task first locks its ticket row (`lock_tickets`), so the derived status is computed from the
committed state of every task, never from a stale read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from headwater.errors import NotFound
from headwater.privacy import states
from headwater.privacy.models import TaskRow, TicketRow, normalise_ticket_id
from headwater.store import audit
from headwater.store.models import utcnow

SUBJECT = "dsr"
WORKER = "worker"


def record(session: Session, ticket_id: str, actor: str, action: str, message: str, **details: Any) -> None:
    audit.record(
        session,
        actor=actor,
        action=f"dsr.{action}",
        subject_type=SUBJECT,
        subject_id=ticket_id,
        details=details,
        message=message,
    )


def lock_tickets(session: Session, ticket_ids: Iterable[str]) -> dict[str, TicketRow]:
    """Lock tickets and load them fresh, in three statements however many there are.

    PostgreSQL locks the rows in id order (no deadlock between workers locking overlapping sets); on
    SQLite the UPDATE takes the database's write lock before anything is read.
    """
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(TicketRow.id).where(TicketRow.id.in_(ids)).order_by(TicketRow.id).with_for_update()
        )
    session.execute(
        update(TicketRow)
        .where(TicketRow.id.in_(ids))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    query = select(TicketRow).where(TicketRow.id.in_(ids)).execution_options(populate_existing=True)
    return {row.id: row for row in session.scalars(query)}


def get_ticket(session: Session, ticket_id: str, *, lock: bool = False) -> TicketRow:
    key = normalise_ticket_id(ticket_id)
    row = lock_tickets(session, [key]).get(key) if lock else session.get(TicketRow, key)
    if row is None:
        raise NotFound(f"There is no privacy request {key}.", hint="`headwater dsr list` shows them.")
    return row


def tasks_of(session: Session, ticket_id: str) -> list[TaskRow]:
    query = select(TaskRow).where(TaskRow.ticket_id == ticket_id).order_by(TaskRow.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def move(
    session: Session,
    task: TaskRow,
    target: str,
    *,
    actor: str,
    message: str = "",
    error: str | None = None,
) -> bool:
    """A worker's move: made if the state machine allows it; False (and nothing written) when it does not,
    or when the task is there already. A worker finding its task moved on (a person cancelled or restarted
    it meanwhile) leaves it be: a refused worker move is expected, not an error."""
    if task.status == target and error is None:
        return False
    if not states.can_move(task.status, target):
        return False
    before, task.status = task.status, target
    at = utcnow()
    task.updated_at = at
    task.last_error = error
    if target in states.FINAL:
        task.finished_at = at
    text = message or f"{task.connection}: {before} -> {target}."
    record(
        session,
        task.ticket_id,
        actor,
        "task_status",
        text,
        task=task.id,
        connection=task.connection,
        before=before,
        after=target,
        **({"error": error} if error else {}),
    )
    return True


def move_for_person(session: Session, task: TaskRow, target: str, *, actor: str, message: str = "") -> bool:
    """A move a person asked for (cancel, retry, set-identity): one the state machine refuses raises
    `states.IllegalMove` instead of doing nothing quietly."""
    states.check_move(task.status, target, f"The {task.connection} task of {task.ticket_id}")
    return move(session, task, target, actor=actor, message=message)


def settle(session: Session, ticket: TicketRow, *, actor: str) -> str:
    """Re-derive the ticket's status from its tasks; audit a change."""
    return _settle(session, ticket, tasks_of(session, ticket.id), actor)


def settle_many(session: Session, tickets: dict[str, TicketRow], *, actor: str) -> None:
    """`settle` for many tickets, reading all their tasks at once."""
    if not tickets:
        return
    query = select(TaskRow).where(TaskRow.ticket_id.in_(list(tickets))).order_by(TaskRow.id)
    tasks: dict[str, list[TaskRow]] = {ticket_id: [] for ticket_id in tickets}
    for task in session.scalars(query.execution_options(populate_existing=True)):
        tasks[task.ticket_id].append(task)
    for ticket_id, ticket in tickets.items():
        _settle(session, ticket, tasks[ticket_id], actor)


def _settle(session: Session, ticket: TicketRow, tasks: list[TaskRow], actor: str) -> str:
    started = not all(t.fresh for t in tasks)
    status = states.ticket_status(
        (t.status for t in tasks), cancelled=ticket.status == states.CANCELLED, started=started
    )
    if status != ticket.status:
        before, ticket.status = ticket.status, status
        ticket.closed_at = utcnow() if status in states.CLOSED else None
        record(
            session,
            ticket.id,
            actor,
            "status_changed",
            f"Ticket {before} -> {status}.",
            before=before,
            after=status,
        )
    return status
