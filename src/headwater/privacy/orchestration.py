"""The privacy job kinds, registered with the job system; the same functions run embedded or on Celery.

- `privacy.task` {task, round}: one task's own steps (resolve, then copy) — see `resolving`; a copy,
  or a delete task restarted by a person or handed over by its lane.
- `privacy.delete_batch` {connection}: the connection's delete lane: it resolves fresh delete tasks in
  bulk (`fresh`) and deletes ready ones in batches — see `deleting` and `batching`.
- `privacy.poll` (every minute): poll the provider jobs whose next poll is due — see `following`; one
  that can never be polled again (key refused, connection gone) fails its waiting tasks.
- `privacy.sweep` (every minute): the safety net: a lane with work but no batcher gets one, and a
  task whose job died (its worker crashed on every attempt) is marked failed with the reason.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from headwater.connections import Connections
from headwater.jobs.context import TaskContext
from headwater.jobs.models import DEAD, JobRow
from headwater.jobs.recurring import every
from headwater.jobs.registry import task
from headwater.privacy import batching, deleting, following, lanes, resolving, states, tracking
from headwater.privacy.models import BatchRow, TaskRow
from headwater.privacy.pool import Connectors
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.vault import Vault, load_keyring

POLL_KIND = "privacy.poll"
SWEEP_KIND = "privacy.sweep"
PERIOD_SECONDS = 60
Payload = dict[str, Any]


def connectors(ctx: TaskContext) -> Connectors:
    """The process's connectors (see `pool`): one per connection, whatever job asks for it."""
    return Connectors(Connections(ctx.db, Vault(load_keyring(ctx.settings))))


@task(resolving.TASK_KIND)
def run_task(ctx: TaskContext, payload: Payload) -> Payload:
    return resolving.run_task(ctx, int(payload["task"]), int(payload.get("round", 0)), connectors(ctx))


@task(batching.LANE_KIND)
def delete_batch(ctx: TaskContext, payload: Payload) -> Payload:
    return deleting.run_lane(ctx, str(payload["connection"]), connectors(ctx))


@task(POLL_KIND)
def poll_due(ctx: TaskContext, payload: Payload) -> Payload:
    targets = following.due(ctx.db, utcnow())
    ready = resolving.collect_later(ctx.queue)
    report = following.poll(ctx.db, connectors(ctx), targets, actor=tracking.WORKER, on_copy_ready=ready)
    gave_up = sum(1 for f in report.failures if f.permanent)
    return {"polled": report.polled, "failed_for_good": gave_up, "retrying": len(report.failures) - gave_up}


@task(SWEEP_KIND)
def sweep(ctx: TaskContext, payload: Payload) -> Payload:
    busy = lanes.with_work(ctx.db)
    for connection in busy:
        with ctx.db.session() as session:
            batching.request_batcher(ctx.queue, session, connection)
    return {"lanes": busy, "failed": _fail_orphans(ctx.db)}


def _fail_orphans(db: Database) -> int:
    """Tasks and batches whose job is dead, so nothing would ever move them again."""
    with db.session() as session:
        active = session.scalars(
            select(TaskRow).where(TaskRow.status.in_((states.PENDING, states.EXPORTING)))
        )
        keys = {key(t): t.id for t in active for key in (resolving.task_key, resolving.collect_key)}
        dead_tasks = [
            (keys[str(job.dedupe_key)], job.last_error)
            for job in session.scalars(
                select(JobRow).where(JobRow.dedupe_key.in_(keys), JobRow.status == DEAD)
            )
        ]
        calling = {
            b.job_id: b.id
            for b in session.scalars(select(BatchRow).where(BatchRow.status == states.BatchStatus.CALLING))
        }
        dead_batches = [
            (calling[job.id], job.last_error)
            for job in session.scalars(select(JobRow).where(JobRow.id.in_(calling), JobRow.status == DEAD))
        ]
    failed = 0
    for task_id, reason in dead_tasks:
        failed += _fail(db, [task_id], None, reason)
    for batch_id, reason in dead_batches:
        with db.session() as session:
            batch = session.get(BatchRow, batch_id)
            task_ids = list(batch.task_ids) if batch is not None else []
        failed += _fail(db, task_ids, batch_id, reason)
    return failed


def _fail(db: Database, task_ids: list[int], batch_id: int | None, reason: str | None) -> int:
    message = f"The work on this task stopped: {reason}. Fix the cause, then `headwater dsr retry`."
    failed = 0
    with db.session() as session:
        ticket_ids = set(session.scalars(select(TaskRow.ticket_id).where(TaskRow.id.in_(task_ids))))
        tickets = tracking.lock_tickets(session, ticket_ids)
        if batch_id is not None:
            batch = session.get(BatchRow, batch_id, populate_existing=True)
            if batch is None or batch.status != states.BatchStatus.CALLING:
                return 0
            batch.status, batch.error, batch.finished_at = states.BatchStatus.FAILED, message, utcnow()
        query = select(TaskRow).where(TaskRow.id.in_(task_ids)).execution_options(populate_existing=True)
        for row in session.scalars(query):
            if batch_id is not None and row.batch_id != batch_id:
                continue
            failed += tracking.move(session, row, states.FAILED, actor=tracking.WORKER, error=message)
        tracking.settle_many(session, tickets, actor=tracking.WORKER)
    return failed


every(POLL_KIND, PERIOD_SECONDS, POLL_KIND)
every(SWEEP_KIND, PERIOD_SECONDS, SWEEP_KIND)
