"""Fresh delete tasks are resolved by their connection's delete lane, many per transaction, while the lane
waits for the provider's next call.

Why not one job per task: a job costs a claim, a dozen statements and a round trip through the queue,
which caps a lane at a few dozen people a second, well below a batch API's 100 a second. The lane takes
its fresh tasks (pending, never tried: `TaskRow.fresh`, see `states`) and tries each once. What it
cannot settle (a temporary provider error) is handed to a job of its own (`resolving`), with the job
system's retries and backoff, as are tasks a person restarts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from headwater.connectors.base import Connector, Identity, NeedsInput, Subject
from headwater.errors import TRANSIENT_ERRORS, HeadwaterError
from headwater.jobs.context import TaskContext
from headwater.privacy import capabilities, findings, resolving, tracking
from headwater.privacy.models import TaskRow, TicketRow
from headwater.privacy.replica_models import REPLICA
from headwater.privacy.subjects import subject_of
from headwater.store import Database
from headwater.store.models import utcnow


def condition(connection: str) -> ColumnElement[bool]:
    """The connection's fresh delete tasks (the lane's; fresh copy tasks and replica tasks have jobs of
    their own)."""
    deletion = select(TicketRow.id).where(TicketRow.id == TaskRow.ticket_id, TicketRow.kind == "delete")
    is_delete = exists(deletion.correlate_except(TicketRow))
    return and_(TaskRow.connection == connection, TaskRow.fresh, is_delete, TaskRow.provider != REPLICA)


def count(db: Database, connection: str) -> int:
    with db.session() as session:
        return int(
            session.scalar(select(func.count()).select_from(TaskRow).where(condition(connection))) or 0
        )


@dataclass(frozen=True)
class _Outcome:
    identities: Sequence[Identity] = ()
    needs: HeadwaterError | None = None
    error: str | None = None  # lasting: the task fails with it
    retry: str | None = None  # temporary: the task gets a job of its own


def resolve(ctx: TaskContext, connector: Connector, connection: str, limit: int) -> int:
    """Resolve up to `limit` fresh tasks (oldest first); returns how many were taken."""
    with ctx.db.session() as session:
        query = select(TaskRow.id, TaskRow.round, TicketRow.email, TicketRow.identifiers).join(
            TicketRow, TicketRow.id == TaskRow.ticket_id
        )
        rows = list(session.execute(query.where(condition(connection)).order_by(TaskRow.id).limit(limit)))
    if not rows:
        return 0
    outcomes: dict[tuple[int, int], _Outcome] = {}
    for task_id, round_, email, identifiers in rows:
        outcomes[(task_id, round_)] = _look_up(connector, connection, subject_of(email, identifiers))
        ctx.check_stop()
    with ctx.db.session() as session:
        _file(ctx, session, outcomes)
    return len(rows)


def _look_up(connector: Connector, connection: str, subject: Subject) -> _Outcome:
    try:
        return _Outcome(identities=capabilities.identities_for(connector, subject, deleting=True))
    except NeedsInput as exc:
        return _Outcome(needs=exc)
    except TRANSIENT_ERRORS as exc:
        return _Outcome(retry=f"Temporary problem, retrying: {exc}")
    except HeadwaterError as exc:
        return _Outcome(error=f"{connection}: {findings.describe(exc)}")


def _file(ctx: TaskContext, session: Session, outcomes: dict[tuple[int, int], _Outcome]) -> None:
    task_ids = [task_id for task_id, _ in outcomes]
    ticket_ids = set(session.scalars(select(TaskRow.ticket_id).where(TaskRow.id.in_(task_ids))))
    tickets = tracking.lock_tickets(session, ticket_ids)
    query = select(TaskRow).where(TaskRow.id.in_(task_ids)).order_by(TaskRow.id)
    for task in session.scalars(query.execution_options(populate_existing=True)):
        outcome = outcomes.get((task.id, task.round))
        if outcome is None or not task.fresh:
            continue  # cancelled, or restarted with other identifiers, while it was being looked up
        task.attempts = 1
        if outcome.needs is not None:
            findings.needs_input(session, task, outcome.needs)
        elif outcome.error is not None:
            findings.failed(session, task, outcome.error)
        elif outcome.retry is not None:
            task.last_error = outcome.retry
            payload = {"task": task.id, "round": task.round}
            later = utcnow() + timedelta(seconds=ctx.queue.job_settings.backoff_seconds)
            key = resolving.task_key(task)
            ctx.queue.enqueue(session, resolving.TASK_KIND, payload, run_at=later, dedupe_key=key)
        else:
            findings.found(session, task, outcome.identities, deleting=True)
    tracking.settle_many(session, tickets, actor=tracking.WORKER)
