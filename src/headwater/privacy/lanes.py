"""What a connection's delete lane has left to do (tasks to resolve, tasks to delete), and stopping a lane
whose connection cannot be used, so its tasks say why instead of waiting for ever.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from headwater.errors import HeadwaterError
from headwater.jobs.context import TaskContext
from headwater.privacy import batching, findings, fresh, states, tracking
from headwater.privacy.models import TaskRow
from headwater.store import Database


def has_work(db: Database, connection: str) -> bool:
    return batching.has_ready(db, connection) or fresh.count(db, connection) > 0


def with_work(db: Database) -> list[str]:
    """Connections whose lane has ready tasks or fresh ones: each needs a batcher."""
    with db.session() as session:
        ready = select(TaskRow.connection).where(TaskRow.status == states.READY)
        untried = select(TaskRow.connection).where(TaskRow.fresh)
        candidates = set(session.scalars(ready.distinct())) | set(session.scalars(untried.distinct()))
    return sorted(c for c in candidates if has_work(db, c))


def stop(ctx: TaskContext, connection: str, exc: HeadwaterError) -> int:
    """Fail the lane's fresh and ready tasks with the reason; returns how many."""
    message = f"{findings.cannot_use(connection, exc)} Then `headwater dsr retry` the ticket."
    with ctx.db.session() as session:
        ready = (TaskRow.connection == connection) & (TaskRow.status == states.READY)
        lane_tasks = select(TaskRow).where(or_(ready, fresh.condition(connection)))
        ticket_ids = {t.ticket_id for t in session.scalars(lane_tasks)}
        tickets = tracking.lock_tickets(session, ticket_ids)
        failed = 0
        for task in session.scalars(lane_tasks.execution_options(populate_existing=True)):
            if task.fresh:
                task.attempts = 1  # no longer fresh: a retry hands it to a job of its own
            failed += tracking.move(session, task, states.FAILED, actor=tracking.WORKER, error=message)
        tracking.settle_many(session, tickets, actor=tracking.WORKER)
    return failed
