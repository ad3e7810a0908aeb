"""The privacy job kinds, registered with the job system; the same functions run embedded or on Celery.

- `privacy.task` {task, round}: one task's own steps (resolve, then copy) — see `resolving`; a copy,
  or a delete task restarted by a person or handed over by its lane.
- `privacy.delete_batch` {connection}: the connection's delete lane: it resolves fresh delete tasks in
  bulk (`fresh`) and deletes ready ones in batches — see `deleting` and `batching`.
- `privacy.poll` (every minute): poll the provider jobs whose next poll is due — see `following`; one
  that can never be polled again (key refused, connection gone) fails its waiting tasks.
- `privacy.sweep` (every minute): the safety net: a lane with work but no batcher gets one; a batch
  whose job died (its worker crashed on every attempt) is settled by asking the provider what landed
  (`settling.abandoned`), so only what never landed fails; a task whose own job died is marked failed
  with the reason; and a dead batcher whose work is done is marked superseded (`lanes`).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from sqlalchemy import select

from headwater.connections import Connections
from headwater.errors import HeadwaterError
from headwater.jobs.context import TaskContext
from headwater.jobs.models import DEAD, JobRow
from headwater.jobs.recurring import every
from headwater.jobs.registry import task
from headwater.privacy import (
    batching,
    deleting,
    findings,
    following,
    lanes,
    resolving,
    settling,
    states,
    tracking,
)
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
    lanes.release_dead_batchers(ctx.db)
    settled = _settle_abandoned(ctx, connectors(ctx))
    failed = _fail_orphans(ctx.db)
    busy = lanes.with_work(ctx.db)
    for connection in busy:
        with ctx.db.session() as session:
            batching.request_batcher(ctx.queue, session, connection)
    retired = lanes.retire_dead_batchers(ctx.db, None, "the sweeper, which asked the provider what landed")
    return {"lanes": busy, "settled": settled, "failed": failed, "superseded": retired}


def _settle_abandoned(ctx: TaskContext, pool: Connectors) -> int:
    """Batches still `calling` whose job is dead: nothing would ever move them again."""
    with ctx.db.session() as session:
        calling = list(session.scalars(select(BatchRow).where(BatchRow.status == states.BatchStatus.CALLING)))
        dead = select(JobRow.id, JobRow.last_error).where(
            JobRow.id.in_({b.job_id for b in calling}), JobRow.status == DEAD
        )
        reasons = {job_id: error for job_id, error in session.execute(dead)}
    settled = 0
    for batch in calling:
        if batch.job_id not in reasons:
            continue
        reason = reasons[batch.job_id] or "its job died"
        with ExitStack() as stack:
            try:
                connector = stack.enter_context(pool.using(batch.connection))
            except HeadwaterError as exc:
                why = findings.cannot_use(batch.connection, exc)
                settling.unusable(ctx.db, ctx.queue, batch, settling.uncertain(batch.connection, reason, why))
                settled += 1
                continue
            settled += settling.abandoned(ctx.db, ctx.queue, connector, batch, reason) is not None
    return settled


def _fail_orphans(db: Database) -> int:
    """Tasks whose own job is dead, so nothing would ever move them again."""
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
    return sum(_fail(db, task_id, reason) for task_id, reason in dead_tasks)


def _fail(db: Database, task_id: int, reason: str | None) -> int:
    message = f"The work on this task stopped: {reason}. Fix the cause, then `headwater dsr retry`."
    with db.session() as session:
        ticket_ids = set(session.scalars(select(TaskRow.ticket_id).where(TaskRow.id == task_id)))
        tickets = tracking.lock_tickets(session, ticket_ids)
        row = session.get(TaskRow, task_id, populate_existing=True)
        failed = (
            0
            if row is None
            else tracking.move(session, row, states.FAILED, actor=tracking.WORKER, error=message)
        )
        tracking.settle_many(session, tickets, actor=tracking.WORKER)
    return failed


every(POLL_KIND, PERIOD_SECONDS, POLL_KIND)
every(SWEEP_KIND, PERIOD_SECONDS, SWEEP_KIND)
