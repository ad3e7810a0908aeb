"""Running a connection's delete lane: resolve its fresh tasks, claim a batch when the provider would
take the call, make that one destructive call at most once, and file the answer under each task.

The call goes through the job system's effect records: the batch (and its tasks) is committed before the
call, the intent before the request, the answer right after. A run that finds a batch of its own still
`calling` resumes it: a recorded answer is reused, and an unknown outcome is checked with the
connector's `find_deletions` when it has one, so a delete is sent again only when it never landed. A
person the provider turns out not to hold goes back to `ready`, into the next batch.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from sqlalchemy import select

from headwater.connectors.base import Connector, Identity
from headwater.errors import TRANSIENT_ERRORS, HeadwaterError
from headwater.jobs.context import TaskContext
from headwater.jobs.effects import EffectUncertain
from headwater.jobs.outcomes import Defer
from headwater.privacy import batching, capabilities, following, fresh, lanes, states, tracking
from headwater.privacy.models import BatchRow, TaskRow
from headwater.privacy.pool import Connectors
from headwater.store.models import utcnow

LANE_BUSY_RETRY = 1.0
MIN_WAIT = 0.02
#: waits up to this long happen in the job's thread (precise, no round trip through the queue);
#: longer ones defer the job
LONGEST_SLEEP = 5.0
#: how long before the lane's next call its batch is claimed (the call itself still waits its turn)
CLAIM_AHEAD = 0.15
#: a single-item lane still resolves this many fresh tasks at a time
MIN_CHUNK = 10


def run_lane(ctx: TaskContext, connection: str, connectors: Connectors) -> dict[str, Any]:
    """The `privacy.delete_batch` job: resolve the lane's fresh tasks and delete its ready ones, one
    batch per call, until nothing is left.

    The connector comes from the process's pool, so its client-side rate limiter has seen the previous
    calls of this lane, whichever job made them.
    """
    owner = f"job:{ctx.job_id}"
    if not batching.acquire(ctx.db, connection, owner):
        raise Defer(LANE_BUSY_RETRY, f"another batcher is deleting in {connection}")
    batches = 0
    with ExitStack() as stack:
        try:
            connector = stack.enter_context(connectors.using(connection))
        except HeadwaterError as exc:
            batching.release(ctx.db, connection, owner)
            return {"connection": connection, "failed": lanes.stop(ctx, connection, exc)}
        size = capabilities.batch_size(connector)
        interval = capabilities.call_interval(connector)
        try:
            while True:
                batch = batching.resumable(ctx.db, connection, ctx.job_id)
                if batch is None:
                    ctx.check_stop()
                    _prepare(ctx, connector, connection, size, interval)
                    if not batching.has_ready(ctx.db, connection):
                        batching.release(ctx.db, connection, owner)
                        # look again after releasing: whatever came meanwhile has a batcher of its own
                        # unless this one takes it now
                        if lanes.has_work(ctx.db, connection) and batching.acquire(ctx.db, connection, owner):
                            continue
                        break
                    # claim just before the lane's next call, so the batch holds everything readied
                    # meanwhile and the claim itself is not on the one-call-a-second path
                    _pause(ctx, batching.wait_before_claim(ctx.db, connection, interval) - CLAIM_AHEAD)
                    batching.acquire(ctx.db, connection, owner, renew=True)
                    batch = batching.claim(ctx.db, connection, size, ctx.job_id)
                    if batch is None:
                        continue
                _pause(ctx, batching.wait_before_claim(ctx.db, connection, interval))
                batching.called(ctx.db, connection, utcnow(), interval)
                execute(ctx, connector, batch)
                batches += 1
        except Defer:
            raise
        except BaseException:
            batching.release(ctx.db, connection, owner)
            raise
    return {"connection": connection, "batches": batches}


def _prepare(ctx: TaskContext, connector: Connector, connection: str, size: int, interval: float) -> None:
    """Resolve fresh tasks until the next batch is full, or none is left and the lane may call."""
    while True:
        room = max(size, MIN_CHUNK) - batching.ready(ctx.db, connection)
        if room <= 0 or fresh.resolve(ctx, connector, connection, room) == 0:
            return
        if batching.wait_before_claim(ctx.db, connection, interval) <= MIN_WAIT and size > 1:
            return  # the provider takes a call now: send what is ready rather than wait to fill it


def _pause(ctx: TaskContext, seconds: float) -> None:
    """Wait for the lane's next call; a stopping worker is not held up by it."""
    if seconds <= MIN_WAIT:
        return
    if seconds > LONGEST_SLEEP:
        raise Defer(seconds, "waiting for the provider's rate limit")
    ctx.stopping.wait(seconds)
    ctx.check_stop()


def _identities(tasks: list[TaskRow]) -> list[Identity]:
    unique: dict[str, Identity] = {}
    for task in tasks:
        for data in task.identities:
            unique.setdefault(str(data["id"]), capabilities.identity_from_json(data))
    return list(unique.values())


def execute(ctx: TaskContext, connector: Connector, batch: BatchRow) -> None:
    with ctx.db.session() as session:
        query = select(TaskRow).where(TaskRow.id.in_(batch.task_ids)).order_by(TaskRow.id)
        tasks = list(session.scalars(query))
    identities = _identities(tasks)
    finder = capabilities.deletion_finder(connector)

    def call() -> dict[str, Any]:
        return {"jobs": [capabilities.job_to_json(j) for j in connector.delete(identities)]}

    def verify() -> dict[str, Any] | None:
        try:
            found = finder(identities)
        except TRANSIENT_ERRORS:
            raise
        except (capabilities.CannotTell, HeadwaterError) as exc:
            raise EffectUncertain(f"cannot check the provider: {exc}") from None
        return {"jobs": [capabilities.job_to_json(j) for j in found], "verified": True} if found else None

    key = f"privacy:{batch.connection}:delete:batch:{batch.id}"
    intent = {"batch": batch.id, "identities": [i.id for i in identities]}
    try:
        outcome = ctx.once(key, call, verify=verify, intent=intent)
    except EffectUncertain:
        fail(
            ctx,
            batch,
            (
                f"A deletion request to {batch.connection} was interrupted and Headwater cannot tell "
                "whether it reached the provider. Check the person in the provider; then run "
                "`headwater dsr retry` on the ticket to request it again."
            ),
        )
        return
    except TRANSIENT_ERRORS as exc:
        if ctx.attempt < ctx.max_attempts:
            raise
        fail(ctx, batch, f"{batch.connection} kept failing: {exc}. Retry the ticket later.")
        return
    except HeadwaterError as exc:
        fail(ctx, batch, f"{batch.connection} refused the deletion: {exc}")
        return
    jobs = [capabilities.job_from_json(j) for j in outcome.result.get("jobs", [])]
    finish(ctx, batch, jobs, outcome.how)


def finish(ctx: TaskContext, batch: BatchRow, jobs: list[Any], how: str) -> None:
    with ctx.db.session() as session:
        ticket_ids = set(session.scalars(select(TaskRow.ticket_id).where(TaskRow.id.in_(batch.task_ids))))
        tickets = tracking.lock_tickets(session, ticket_ids)
        row = session.get(BatchRow, batch.id, populate_existing=True)
        if row is None or row.status != states.BatchStatus.CALLING:
            return
        tasks = list(
            session.scalars(select(TaskRow).where(TaskRow.id.in_(batch.task_ids)).order_by(TaskRow.id))
        )
        linked = following.attach(session, batch.connection, batch.id, tasks, jobs)
        row.status, row.finished_at = states.BatchStatus.DONE, utcnow()
        requeued = False
        summary = ", ".join(f"{j.id} ({j.status})" for j in jobs) or "no job"
        note = {
            "called": "",
            "recorded": " (answer recorded before a restart)",
            "verified": " (found after a restart)",
        }
        for task in tasks:
            if how == "verified" and task.status == states.DELETING and not linked[task.id]:
                # the interrupted call never reached this person: they go into the next batch
                requeued = True
                task.batch_id = None
                message = f"{batch.connection}: the provider holds no deletion for this person; next batch."
                tracking.move(session, task, states.READY, actor=tracking.WORKER, message=message)
                continue
            tracking.record(
                session,
                task.ticket_id,
                tracking.WORKER,
                "provider_call",
                f"{batch.connection}: deletion requested for {len(task.identities)} identity(ies) in batch "
                f"{batch.id} ({len(tasks)} in one call); provider job(s): {summary}{note.get(how, '')}.",
                connection=batch.connection,
                batch=batch.id,
                jobs=[j.id for j in jobs],
                how=how,
            )
            if task.status == states.DELETING:  # the batch's jobs are all this task has
                following.update_task(session, task, actor=tracking.WORKER, rows=linked[task.id])
        if requeued:
            batching.request_batcher(ctx.queue, session, batch.connection)
        tracking.settle_many(session, tickets, actor=tracking.WORKER)


def fail(ctx: TaskContext, batch: BatchRow, message: str) -> None:
    with ctx.db.session() as session:
        ticket_ids = set(session.scalars(select(TaskRow.ticket_id).where(TaskRow.id.in_(batch.task_ids))))
        tickets = tracking.lock_tickets(session, ticket_ids)
        row = session.get(BatchRow, batch.id, populate_existing=True)
        if row is None or row.status != states.BatchStatus.CALLING:
            return
        row.status, row.error, row.finished_at = states.BatchStatus.FAILED, message, utcnow()
        for task in session.scalars(select(TaskRow).where(TaskRow.id.in_(batch.task_ids))):
            tracking.move(session, task, states.FAILED, actor=tracking.WORKER, error=message)
        tracking.settle_many(session, tickets, actor=tracking.WORKER)
