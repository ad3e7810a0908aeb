"""Following provider jobs: filing what a provider answered under the tasks it concerns, and polling
the jobs that are still running on their schedule until the provider says they are done.

A task is `waiting` while any of its jobs runs, `completed` when all are done, and `failed` when the
provider reports a failure. A copy task whose jobs are all done goes back to `exporting`, and
`on_copy_ready` queues the job that collects the copy, in the same transaction. Polling happens outside
any transaction, so no lock is held over HTTP.

A poll that fails for a passing reason (rate limit, provider down) is tried again later. One that no
later poll can get past — the provider refusing the key (401/403), the connection removed or disabled —
fails the tasks waiting on the job with the reason, and the job leaves the schedule: a person acts, then
`dsr retry`. `poll` reports both, so nobody is told "polled" when nothing was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headwater.connections import Connections
from headwater.connectors.base import Connector, ProviderJob
from headwater.errors import TRANSIENT_ERRORS, AuthError, HeadwaterError, NotFound, PermissionDenied
from headwater.privacy import capabilities, states, tracking
from headwater.privacy.models import ProviderJobRow, TaskJobRow, TaskRow, TicketRow
from headwater.privacy.pool import Connectors
from headwater.store import Database
from headwater.store.models import utcnow

CopyReady = Callable[[Session, TaskRow], None]
DEFAULT_POLL_EVERY = timedelta(hours=1)
ERROR_POLL_EVERY = timedelta(minutes=15)
#: the provider refuses the key itself: every later poll would be refused the same way
PERMANENT_ERRORS: tuple[type[HeadwaterError], ...] = (AuthError, PermissionDenied)


@dataclass(frozen=True)
class PollFailure:
    """A provider job that could not be polled. `permanent`: its waiting tasks failed and it left the
    schedule; otherwise it is polled again in `ERROR_POLL_EVERY`."""

    connection: str
    provider_job: str
    error: str
    permanent: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PollReport:
    """What a round of polling did: how many jobs the providers answered about, and which failed."""

    polled: int = 0
    failures: list[PollFailure] = field(default_factory=list)

    @property
    def tried(self) -> int:
        return self.polled + len(self.failures)


def summary(polled: int, failures: Sequence[dict[str, Any]]) -> list[str]:
    """A refresh's outcome in sentences, the same for every face (`failures`: `PollFailure.as_dict()`s)."""
    if not failures:
        return [f"Polled {polled} provider job(s)."]
    lines = [f"Polled {polled} of {polled + len(failures)} provider job(s)."]
    for_good = [f for f in failures if f["permanent"]]
    later = [f for f in failures if not f["permanent"]]
    if for_good:
        lines.append(f"{len(for_good)} failed for good, and the tasks waiting on them failed:")
        lines += [f"- {f['connection']}: {f['error']}" for f in for_good]
    if later:
        minutes = int(ERROR_POLL_EVERY.total_seconds() // 60)
        lines.append(f"{len(later)} could not be polled now; tried again in {minutes} minutes:")
        lines += [f"- {f['connection']} job {f['provider_job']}: {f['error']}" for f in later]
    return lines


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
) -> PollReport:
    """Poll each job once; errors are recorded and reported, never raised."""
    by_connection: dict[str, list[int]] = defaultdict(list)
    for job_id, connection in targets:
        by_connection[connection].append(job_id)
    report = PollReport()
    for connection, job_ids in by_connection.items():
        unusable = _unusable(connectors.connections, connection)
        if unusable is not None:
            report.failures += _give_up(db, job_ids, unusable, actor)
            continue
        with ExitStack() as stack:
            try:
                connector = stack.enter_context(connectors.using(connection))
            except HeadwaterError as exc:
                message = f"Cannot open connection {connection!r}: {exc}"
                report.failures += _record_errors(db, job_ids, message, actor)
                continue
            for job_id in job_ids:
                failure = _poll_one(db, connector, job_id, actor, on_copy_ready)
                if failure is None:
                    report.polled += 1
                else:
                    report.failures.append(failure)
    return report


def _unusable(connections: Connections, name: str) -> str | None:
    """Why no poll through this connection can succeed until a person acts; None when it can."""
    try:
        enabled = connections.get(name).enabled
    except NotFound:
        return (
            f"Connection {name!r} was removed, so its provider jobs can no longer be followed. "
            f"Connect it again under that name"
        )
    if not enabled:
        return (
            f"Connection {name!r} is disabled, so its provider jobs can no longer be followed. "
            f"Enable it with `headwater connections enable {name}`"
        )
    return None


def _poll_one(
    db: Database, connector: Connector, job_id: int, actor: str, on_copy_ready: CopyReady | None
) -> PollFailure | None:
    with db.session() as session:
        row = session.get(ProviderJobRow, job_id)
        if row is None or row.status not in states.OPEN_PROVIDER_JOBS:
            return None
        before = as_provider_job(row, connector.kind)
    try:
        after = connector.poll(before)
    except PERMANENT_ERRORS as exc:
        reason = (
            f"Polling job {row.external_id} was refused for good: {exc.message.rstrip('.')}. "
            f"Fix the connection's key (`headwater connections test {row.connection}` checks it)"
        )
        failures = _give_up(db, [job_id], reason, actor)
        return failures[0] if failures else PollFailure(row.connection, row.external_id, reason, True)
    except HeadwaterError as exc:
        kind = "temporary" if isinstance(exc, TRANSIENT_ERRORS) else "lasting"
        [failure] = _record_errors(db, [job_id], f"Polling {row.connection} failed ({kind}): {exc}", actor)
        return failure
    _apply(db, job_id, after, actor, on_copy_ready)
    return None


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


def _linked_tasks(session: Session, job_ids: list[int]) -> list[int]:
    query = select(TaskJobRow.task_id).where(TaskJobRow.provider_job_id.in_(job_ids))
    return sorted(set(session.scalars(query)))


def _give_up(db: Database, job_ids: list[int], reason: str, actor: str) -> list[PollFailure]:
    """Take the jobs off the schedule and fail the tasks waiting on them with `reason` (which ends in
    what to do; the retry is added here). The provider's own job is not touched: it may well go on."""
    failures = []
    with db.session() as session:
        task_ids = _linked_tasks(session, job_ids)
        tickets = _lock_for_tasks(session, task_ids)
        jobs = select(ProviderJobRow).where(ProviderJobRow.id.in_(job_ids)).order_by(ProviderJobRow.id)
        for row in session.scalars(jobs.execution_options(populate_existing=True)):
            if row.status in states.OPEN_PROVIDER_JOBS:
                row.next_poll_at, row.updated_at = None, utcnow()
                failures.append(PollFailure(row.connection, row.external_id, f"{reason}.", permanent=True))
        tasks = select(TaskRow).where(TaskRow.id.in_(task_ids)).order_by(TaskRow.id)
        for task in session.scalars(tasks.execution_options(populate_existing=True)):
            if task.status == states.WAITING:
                tracking.move(
                    session,
                    task,
                    states.FAILED,
                    actor=actor,
                    message=f"{task.connection}: waiting -> failed. {reason}.",
                    error=f"{reason}, then `headwater dsr retry {task.ticket_id}`.",
                )
        tracking.settle_many(session, tickets, actor=actor)
    return failures


def _record_errors(db: Database, job_ids: list[int], message: str, actor: str) -> list[PollFailure]:
    """A failed poll is retried later; the tasks show the error meanwhile."""
    failures = []
    with db.session() as session:
        for row in session.scalars(select(ProviderJobRow).where(ProviderJobRow.id.in_(job_ids))):
            row.next_poll_at = utcnow() + ERROR_POLL_EVERY
            failures.append(PollFailure(row.connection, row.external_id, message, permanent=False))
            task_ids = list(
                session.scalars(select(TaskJobRow.task_id).where(TaskJobRow.provider_job_id == row.id))
            )
            for task in session.scalars(select(TaskRow).where(TaskRow.id.in_(task_ids))):
                task.last_error = message
                tracking.record(
                    session, task.ticket_id, actor, "provider_poll_failed", message, connection=row.connection
                )
    return failures
