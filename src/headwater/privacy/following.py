"""Following provider jobs: filing what a provider answered under the tasks it concerns, and polling
the jobs that are still running on their schedule until the provider says they are done.

A task is `waiting` while any of its jobs runs, `completed` when all are done, and `failed` when the
provider reports a failure. A copy task whose jobs are all done goes back to `exporting`, and
`on_copy_ready` queues the job that collects the copy, in the same transaction. Polling happens outside
any transaction, so no lock is held over HTTP.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headwater.connectors.base import Connector, ProviderJob
from headwater.errors import TRANSIENT_ERRORS, HeadwaterError
from headwater.privacy import capabilities, states, tracking
from headwater.privacy.models import ProviderJobRow, TaskJobRow, TaskRow, TicketRow
from headwater.privacy.pool import Connectors
from headwater.store import Database
from headwater.store.models import utcnow

CopyReady = Callable[[Session, TaskRow], None]
DEFAULT_POLL_EVERY = timedelta(hours=1)
ERROR_POLL_EVERY = timedelta(minutes=15)


def as_provider_job(row: ProviderJobRow, kind: str) -> ProviderJob:
    return ProviderJob(kind, row.external_id, row.status, dict(row.detail), row.next_poll_at)


def _store(row: ProviderJobRow, job: ProviderJob, at: datetime) -> None:
    row.status, row.detail, row.updated_at = job.status, dict(job.detail), at
    if job.status in states.OPEN_PROVIDER_JOBS:
        row.next_poll_at = job.next_poll_after or at + DEFAULT_POLL_EVERY
    else:
        row.next_poll_at, row.finished_at = None, row.finished_at or at


def attach(
    session: Session,
    connection: str,
    batch_id: int | None,
    tasks: Sequence[TaskRow],
    jobs: Sequence[ProviderJob],
) -> dict[int, list[ProviderJobRow]]:
    """Store the jobs a delete call returned and link each to the tasks whose identities it covers;
    returns each task's jobs."""
    owners: dict[str, list[TaskRow]] = defaultdict(list)
    for task in tasks:
        for identity in task.identities:
            owners[str(identity["id"])].append(task)
    at = utcnow()
    linked: dict[int, list[ProviderJobRow]] = {task.id: [] for task in tasks}
    for job in jobs:
        row = ProviderJobRow(connection=connection, external_id=job.id, batch_id=batch_id, created_at=at)
        _store(row, job, at)
        session.add(row)
        session.flush()
        covered = sorted({t.id for i in capabilities.covered(job) for t in owners.get(i, [])})
        session.add_all(TaskJobRow(task_id=task_id, provider_job_id=row.id) for task_id in covered)
        for task_id in covered:
            linked[task_id].append(row)
    session.flush()
    return linked


def jobs_of(session: Session, task: TaskRow) -> list[ProviderJobRow]:
    query = (
        select(ProviderJobRow)
        .join(TaskJobRow, TaskJobRow.provider_job_id == ProviderJobRow.id)
        .where(TaskJobRow.task_id == task.id)
        .order_by(ProviderJobRow.id)
    )
    return list(session.scalars(query))


def update_task(
    session: Session,
    task: TaskRow,
    *,
    actor: str,
    rows: Sequence[ProviderJobRow] | None = None,
    on_copy_ready: CopyReady | None = None,
) -> None:
    """Derive a deleting or waiting task's state and counts from its provider jobs (`rows`: all of
    them, when the caller has them at hand)."""
    rows = jobs_of(session, task) if rows is None else rows
    jobs = [as_provider_job(r, task.provider) for r in rows]
    ids = {str(i["id"]) for i in task.identities}
    task.records = sum(
        capabilities.records_for(job, i) for job in jobs for i in capabilities.covered(job) if i in ids
    )
    task.counts = {"people": len(ids), "provider_jobs": [{"id": j.id, "status": j.status} for j in jobs]}
    if not jobs:
        tracking.move(
            session,
            task,
            states.FAILED,
            actor=actor,
            error=(
                f"{task.connection} did not confirm a deletion for this person; check the provider, then "
                f"`headwater dsr retry {task.ticket_id}`."
            ),
        )
    elif any(j.status == states.ProviderJobStatus.FAILED for j in jobs):
        reasons = "; ".join(
            str(j.detail.get("error") or f"job {j.id} failed")
            for j in jobs
            if j.status == states.ProviderJobStatus.FAILED
        )
        tracking.move(session, task, states.FAILED, actor=actor, error=f"{task.connection}: {reasons}")
    elif all(j.status == states.ProviderJobStatus.DONE for j in jobs) and _is_copy(session, task):
        if on_copy_ready is None:
            return  # stays waiting: the next poll that can queue the collection moves it on
        tracking.move(
            session,
            task,
            states.EXPORTING,
            actor=actor,
            message=f"{task.connection}: the provider's copy is ready; collecting it.",
        )
        on_copy_ready(session, task)
    elif all(j.status == states.ProviderJobStatus.DONE for j in jobs):
        tracking.move(
            session,
            task,
            states.COMPLETED,
            actor=actor,
            message=f"{task.connection}: the provider reports the deletion done ({task.records} records).",
        )
    else:
        tracking.move(session, task, states.WAITING, actor=actor)


def _is_copy(session: Session, task: TaskRow) -> bool:
    ticket = session.get(TicketRow, task.ticket_id)
    return ticket is not None and ticket.kind == "copy"


def due(db: Database, at: datetime, *, ticket_id: str | None = None) -> list[tuple[int, str]]:
    """(provider job id, connection) of the jobs to poll now; for one ticket, all its open jobs."""
    query = select(ProviderJobRow.id, ProviderJobRow.connection).where(
        ProviderJobRow.status.in_(states.OPEN_PROVIDER_JOBS)
    )
    if ticket_id is None:
        query = query.where(ProviderJobRow.next_poll_at <= at)
    else:
        linked = (
            select(TaskJobRow.provider_job_id)
            .join(TaskRow, TaskRow.id == TaskJobRow.task_id)
            .where(TaskRow.ticket_id == ticket_id)
        )
        query = query.where(ProviderJobRow.id.in_(linked))
    with db.session() as session:
        return [(job_id, conn) for job_id, conn in session.execute(query.order_by(ProviderJobRow.id))]


def poll(
    db: Database,
    connectors: Connectors,
    targets: Sequence[tuple[int, str]],
    *,
    actor: str,
    on_copy_ready: CopyReady | None = None,
) -> int:
    """Poll each job once; returns how many were polled. Errors are recorded, never raised."""
    by_connection: dict[str, list[int]] = defaultdict(list)
    for job_id, connection in targets:
        by_connection[connection].append(job_id)
    polled = 0
    for connection, job_ids in by_connection.items():
        with ExitStack() as stack:
            try:
                connector = stack.enter_context(connectors.using(connection))
            except HeadwaterError as exc:
                _record_errors(db, job_ids, f"Cannot open connection {connection!r}: {exc}", actor)
                continue
            for job_id in job_ids:
                _poll_one(db, connector, job_id, actor, on_copy_ready)
                polled += 1
    return polled


def _poll_one(
    db: Database, connector: Connector, job_id: int, actor: str, on_copy_ready: CopyReady | None
) -> None:
    with db.session() as session:
        row = session.get(ProviderJobRow, job_id)
        if row is None or row.status not in states.OPEN_PROVIDER_JOBS:
            return
        before = as_provider_job(row, connector.kind)
    try:
        after = connector.poll(before)
    except HeadwaterError as exc:
        kind = "temporary" if isinstance(exc, TRANSIENT_ERRORS) else "lasting"
        _record_errors(db, [job_id], f"Polling {row.connection} failed ({kind}): {exc}", actor)
        return
    _apply(db, job_id, after, actor, on_copy_ready)


def _apply(db: Database, job_id: int, job: ProviderJob, actor: str, on_copy_ready: CopyReady | None) -> None:
    with db.session() as session:
        task_ids = list(
            session.scalars(select(TaskJobRow.task_id).where(TaskJobRow.provider_job_id == job_id))
        )
        tickets = _lock_for_tasks(session, task_ids)
        row = session.get(ProviderJobRow, job_id, populate_existing=True)
        if row is None:
            return
        before = row.status
        _store(row, job, utcnow())
        row.polls += 1
        for task in session.scalars(select(TaskRow).where(TaskRow.id.in_(task_ids))):
            tracking.record(
                session,
                task.ticket_id,
                actor,
                "provider_poll",
                f"{row.connection}: job {row.external_id} is {job.status}"
                + (f" (was {before})" if before != job.status else "")
                + ".",
                connection=row.connection,
                provider_job=row.external_id,
                status=job.status,
                provider_status=job.detail.get("provider_status"),
            )
            if task.status in (states.WAITING, states.DELETING):
                update_task(session, task, actor=actor, on_copy_ready=on_copy_ready)
        tracking.settle_many(session, tickets, actor=actor)


def _lock_for_tasks(session: Session, task_ids: list[int]) -> dict[str, Any]:
    ticket_ids = set(session.scalars(select(TaskRow.ticket_id).where(TaskRow.id.in_(task_ids))))
    return tracking.lock_tickets(session, ticket_ids)


def _record_errors(db: Database, job_ids: list[int], message: str, actor: str) -> None:
    """A failed poll is retried later; the tasks show the error meanwhile."""
    with db.session() as session:
        for row in session.scalars(select(ProviderJobRow).where(ProviderJobRow.id.in_(job_ids))):
            row.next_poll_at = utcnow() + ERROR_POLL_EVERY
            task_ids = list(
                session.scalars(select(TaskJobRow.task_id).where(TaskJobRow.provider_job_id == row.id))
            )
            for task in session.scalars(select(TaskRow).where(TaskRow.id.in_(task_ids))):
                task.last_error = message
                tracking.record(
                    session, task.ticket_id, actor, "provider_poll_failed", message, connection=row.connection
                )
