"""What a connection's delete lane has left to do (tasks to resolve, tasks to delete), stopping a lane
whose connection cannot be used, so its tasks say why instead of waiting for ever, and retiring the
batchers that died but whose work is done.

A batcher's job that died (its worker crashed on every attempt) stays `dead`, an alarm for a person,
until its work is done elsewhere: its batch settled with the provider by the sweeper, none of its tasks
left failed in that batch, and its lane empty, emptied by a later batcher or by nothing being left. Then
it is marked `superseded`, with who finished the work, rather than staying a false alarm.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from headwater.errors import HeadwaterError
from headwater.jobs import claims
from headwater.jobs.context import TaskContext
from headwater.jobs.models import DEAD, JobRow
from headwater.privacy import batching, findings, fresh, states, tracking
from headwater.privacy.models import BatchRow, TaskRow
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


def _dead_batchers(session: Session, connection: str | None) -> dict[int, str]:
    """The dead batcher jobs (of `connection`, or of every lane), with their lane."""
    query = select(JobRow).where(JobRow.kind == batching.LANE_KIND, JobRow.status == DEAD)
    return {
        job.id: str(job.payload.get("connection"))
        for job in session.scalars(query)
        if connection is None or job.payload.get("connection") == connection
    }


def release_dead_batchers(db: Database) -> None:
    """A lane held by a dead batcher is free at once, not when the lease it took runs out."""
    with db.session() as session:
        dead = _dead_batchers(session, None)
    for job_id, lane in dead.items():
        batching.release(db, lane, f"job:{job_id}")


def retire_dead_batchers(db: Database, connection: str | None, finisher: str) -> int:
    """Mark superseded the dead batchers (of `connection`, or of every lane) whose work is done, naming
    `finisher` as who did it; returns how many."""
    with db.session() as session:
        dead = _dead_batchers(session, connection)
        if not dead:
            return 0
        batches = select(BatchRow.id).where(BatchRow.job_id.in_(dead))
        calling = batches.where(BatchRow.status == states.BatchStatus.CALLING)
        left_failed = batches.where(
            BatchRow.id.in_(select(TaskRow.batch_id).where(TaskRow.status == states.FAILED))
        )
        blocked = set(
            session.scalars(
                select(BatchRow.job_id).where(or_(BatchRow.id.in_(calling), BatchRow.id.in_(left_failed)))
            )
        )
    busy = {lane for lane in set(dead.values()) if has_work(db, lane)}
    done = [job_id for job_id, lane in dead.items() if job_id not in blocked and lane not in busy]
    return claims.supersede(db, done, f"its work was finished by {finisher}")
