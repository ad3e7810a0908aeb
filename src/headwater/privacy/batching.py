"""Delete batching: one batcher per connection takes up to the connector's `batch_size` ready tasks,
across tickets, into one destructive call.

Amplitude takes 100 ids per call at one call a second, so batching is what makes ~100 people a second
possible. Three rules keep it correct and cheap:

- **One batcher per connection** (a lease on its lane row), so two never race for the provider's limit.
- **Generations**: a task that becomes ready asks for the batcher of the lane's *current* generation (a job
  dedupe key); a batcher moves the generation on when it starts. So a task readied after a batcher began
  always gets a batcher that starts after it, and a burst of readiness creates one job, not hundreds.
- **Release, then look again** before exiting, so nothing readied in between is stranded.

Pacing: a batch is claimed only when the provider would take the call (`wait_before_claim`), so it holds
everything that became ready while the previous call's second ran out. The time of the lane's next call
is kept on its row, so a batcher in another process, or the next one, keeps the pace too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from headwater.jobs.context import JobSubmitter
from headwater.privacy import states, tracking
from headwater.privacy.models import BatchRow, LaneRow, TaskRow, TicketRow
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.store.sql import insert_ignoring_conflict

LANE_KIND = "privacy.delete_batch"
LANE_LEASE_SECONDS = 60.0


def _ensure_lane(session: Session, connection: str) -> None:
    values = {
        "connection": connection,
        "generation": 0,
        "owner": None,
        "lease_until": None,
        "next_call_at": None,
    }
    insert_ignoring_conflict(session, LaneRow.__table__, values, "connection")  # type: ignore[arg-type]


def request_batcher(queue: JobSubmitter, session: Session, connection: str) -> None:
    """In the caller's transaction (the one that made a task ready): make sure a batcher will run."""
    _ensure_lane(session, connection)
    session.execute(  # lock the lane row: serialises with a batcher moving the generation on
        update(LaneRow).where(LaneRow.connection == connection).values(generation=LaneRow.generation)
    )
    generation = session.scalar(select(LaneRow.generation).where(LaneRow.connection == connection))
    key = f"dsr:lane:{connection}:{generation}"
    queue.enqueue(session, LANE_KIND, {"connection": connection}, dedupe_key=key)


def acquire(db: Database, connection: str, owner: str, *, renew: bool = False) -> bool:
    """Take the lane and move the generation on (or, with `renew`, only extend the lease)."""
    at = utcnow()
    values: dict[str, Any] = {"owner": owner, "lease_until": at + timedelta(seconds=LANE_LEASE_SECONDS)}
    if not renew:
        values["generation"] = LaneRow.generation + 1
    with db.session() as session:
        _ensure_lane(session, connection)
        taken = session.execute(
            update(LaneRow)
            .where(
                LaneRow.connection == connection,
                or_(LaneRow.owner.is_(None), LaneRow.owner == owner, LaneRow.lease_until < at),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        return bool(taken)


def release(db: Database, connection: str, owner: str) -> None:
    with db.session() as session:
        session.execute(
            update(LaneRow)
            .where(LaneRow.connection == connection, LaneRow.owner == owner)
            .values(owner=None, lease_until=None)  # next_call_at stays: the pace outlives a batcher
            .execution_options(synchronize_session=False)
        )


def _count(session: Session, connection: str, status: str) -> int:
    query = (
        select(func.count())
        .select_from(TaskRow)
        .join(TicketRow, TicketRow.id == TaskRow.ticket_id)
        .where(TaskRow.connection == connection, TaskRow.status == status, TicketRow.kind == "delete")
    )
    return int(session.scalar(query) or 0)


def ready(db: Database, connection: str) -> int:
    with db.session() as session:
        return _count(session, connection, states.READY)


def has_ready(db: Database, connection: str) -> bool:
    return ready(db, connection) > 0


def wait_before_claim(db: Database, connection: str, interval: float) -> float:
    """Seconds until the lane may call again (0 for lanes with no `interval`: their client paces them).

    Batch APIs are limited per call (Amplitude: one a second), so a call is made no sooner than
    `interval` after the previous one started; claiming at that moment, not before, puts everything
    readied meanwhile into the call.
    """
    if interval <= 0:
        return 0.0
    with db.session() as session:
        next_call_at = session.scalar(select(LaneRow.next_call_at).where(LaneRow.connection == connection))
    if next_call_at is None:
        return 0.0
    return max(0.0, (next_call_at - utcnow()).total_seconds())


def called(db: Database, connection: str, started: datetime, interval: float) -> None:
    if interval <= 0:
        return
    with db.session() as session:
        session.execute(
            update(LaneRow)
            .where(LaneRow.connection == connection)
            .values(next_call_at=started + timedelta(seconds=interval))
        )


def claim(db: Database, connection: str, size: int, job_id: int) -> BatchRow | None:
    """Commit a batch of up to `size` ready tasks (moved to `deleting`) before any call is made."""
    with db.session() as session:
        query = (
            select(TaskRow.id, TaskRow.ticket_id)
            .where(TaskRow.connection == connection, TaskRow.status == states.READY)
            .order_by(TaskRow.id)
            .limit(size)
        )
        picked = list(session.execute(query))
        if not picked:
            return None
        tickets = tracking.lock_tickets(session, {ticket_id for _, ticket_id in picked})
        ids = [task_id for task_id, _ in picked]
        tasks = list(session.scalars(select(TaskRow).where(TaskRow.id.in_(ids)).order_by(TaskRow.id)))
        tasks = [t for t in tasks if t.status == states.READY]  # a person may have cancelled meanwhile
        if not tasks:
            return None
        batch = BatchRow(
            connection=connection,
            status=states.BatchStatus.CALLING,
            task_ids=[t.id for t in tasks],
            job_id=job_id,
        )
        session.add(batch)
        session.flush()
        for task in tasks:
            task.batch_id = batch.id
            task.attempts += 1
            labels = ", ".join(i.get("label", i.get("id", "")) for i in task.identities)
            tracking.move(
                session,
                task,
                states.DELETING,
                actor=tracking.WORKER,
                message=f"{connection}: requesting deletion of {labels} (batch {batch.id}, "
                f"{len(tasks)} people in one call).",
            )
        tracking.settle_many(session, tickets, actor=tracking.WORKER)
        return batch


def resumable(db: Database, connection: str, job_id: int) -> BatchRow | None:
    """A batch this job started before it was interrupted (its call may or may not have been made)."""
    with db.session() as session:
        query = (
            select(BatchRow)
            .where(
                BatchRow.connection == connection,
                BatchRow.job_id == job_id,
                BatchRow.status == states.BatchStatus.CALLING,
            )
            .order_by(BatchRow.id)
            .limit(1)
        )
        return session.scalars(query).first()
