"""Settling a delete batch: what its calls came to, filed under each of its tasks in one transaction.

A batch's deletion is one or more provider requests (`Connector.delete_parts`), each with an effect record
of its own (`part_key`), so each part ends one of three ways: it landed (the provider's jobs, as it
answered, as recorded before a restart, or as found by asking it after one), it is known not to have
landed, or it failed with a reason. Then each task

- follows the provider jobs that cover its identities (`following`), those of this batch and any found
  for it earlier;
- goes back to `ready`, into the next batch, when the provider holds no deletion for one of its
  identities (`missing`); the next call leaves out the identities already covered;
- fails with the reason when its part failed. Its deletion may have landed all the same: a retry asks
  the provider before it sends anything (`resolving`).

The sweeper settles a batch whose job died on every attempt the same way (`abandoned`): like a normal
resume it reads each part's record and asks the provider about the parts whose outcome is unknown, so a
deletion that landed is followed, never failed and sent again; only what never landed fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from headwater.connectors.base import Connector, Identity, ProviderJob
from headwater.errors import TRANSIENT_ERRORS, HeadwaterError
from headwater.jobs import effects
from headwater.jobs.context import JobSubmitter
from headwater.jobs.models import EFFECT_DONE, EFFECT_PENDING
from headwater.privacy import batching, capabilities, following, states, tracking
from headwater.privacy.models import BatchRow, ProviderJobRow, TaskJobRow, TaskRow
from headwater.store import Database
from headwater.store.models import utcnow

#: how a part's jobs were learnt, most telling first; a task shows the first that applies to it
HOWS = ("verified", "recorded", "called")
NOTES = {"recorded": " (answer recorded before a restart)", "verified": " (found after a restart)"}


def part_key(batch: BatchRow, number: int) -> str:
    """The effect key of a batch's `number`-th request (the first keeps the key of a whole batch)."""
    key = f"privacy:{batch.connection}:delete:batch:{batch.id}"
    return key if number == 0 else f"{key}:part:{number + 1}"


@dataclass
class Settlement:
    """What a batch's parts came to, by identity id."""

    jobs: list[ProviderJob] = field(default_factory=list)
    how: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)

    def landed(self, part: Sequence[Identity], jobs: Sequence[ProviderJob], how: str) -> None:
        """A part's jobs; after a restart (`verified`) they cover only the people the provider holds."""
        self.jobs.extend(jobs)
        self.how.update({identity.id: how for identity in part})
        if how == "verified":
            found = {i for job in jobs for i in capabilities.covered(job)}
            self.missing.update(identity.id for identity in part if identity.id not in found)

    def failed(self, part: Sequence[Identity], message: str) -> None:
        for identity in part:
            self.failures.setdefault(identity.id, message)


def batch_identities(db: Database, batch: BatchRow) -> list[Identity]:
    """Who the batch's calls name: its tasks' identities, less those already covered by a provider job
    found for the task earlier (a deletion that landed before is never requested again)."""
    with db.session() as session:
        query = select(TaskRow).where(TaskRow.id.in_(batch.task_ids)).order_by(TaskRow.id)
        tasks = list(session.scalars(query))
        covered = {i for rows in _links(session, [t.id for t in tasks]).values() for i in _covered_by(rows)}
    unique: dict[str, Identity] = {}
    for task in tasks:
        for data in task.identities:
            if str(data["id"]) not in covered:
                unique.setdefault(str(data["id"]), capabilities.identity_from_json(data))
    return list(unique.values())


def abandoned(
    db: Database, queue: JobSubmitter, connector: Connector, batch: BatchRow, reason: str
) -> Settlement | None:
    """Settle a batch whose job is dead, asking the provider about each part whose outcome is unknown;
    None, with a note on its tasks, when the provider cannot be asked right now (the next sweep tries
    again). What never landed fails with `reason`."""
    identities = batch_identities(db, batch)
    finder = capabilities.deletion_finder(connector)
    settlement = Settlement()
    for number, part in enumerate(capabilities.delete_parts(connector, identities)):
        record = effects.lookup(db, part_key(batch, number))
        if record is not None and record.status == EFFECT_DONE:
            result = record.result or {}
            jobs = [capabilities.job_from_json(j) for j in result.get("jobs", [])]
            settlement.landed(part, jobs, "verified" if result.get("verified") else "recorded")
            continue
        if record is None or record.status != EFFECT_PENDING:  # never sent, or refused
            settlement.failed(part, not_sent(reason))
            continue
        try:
            found = finder(part)
        except TRANSIENT_ERRORS as exc:
            note(
                db,
                batch,
                f"{stopped(reason)} Headwater cannot ask {batch.connection} yet whether its "
                f"deletion landed ({exc}); the sweeper asks again every minute.",
            )
            return None
        except (capabilities.CannotTell, HeadwaterError) as exc:
            settlement.failed(part, uncertain(batch.connection, reason, str(exc)))
            continue
        settlement.landed(part, found, "verified")
    finish(db, queue, batch, settlement, missing=not_sent(reason))
    return settlement


def unusable(db: Database, queue: JobSubmitter, batch: BatchRow, message: str) -> None:
    """Settle a dead job's batch whose connection cannot be opened: its tasks fail with `message`."""
    settlement = Settlement()
    settlement.failed(batch_identities(db, batch), message)
    finish(db, queue, batch, settlement)


def stopped(reason: str) -> str:
    return f"The work on this task stopped: {reason.rstrip('.')}."


def not_sent(reason: str) -> str:
    return (
        f"{stopped(reason)} The provider holds no deletion for this person; `headwater dsr retry` "
        "requests it."
    )


def uncertain(connection: str, reason: str, why: str) -> str:
    return (
        f"{stopped(reason)} Headwater cannot tell whether its deletion reached {connection} ({why}). "
        "`headwater dsr retry` asks the provider again before it sends anything."
    )


def note(db: Database, batch: BatchRow, message: str) -> None:
    with db.session() as session:
        for task in session.scalars(select(TaskRow).where(TaskRow.id.in_(batch.task_ids))):
            if task.status == states.DELETING:
                task.last_error = message


def finish(
    db: Database, queue: JobSubmitter, batch: BatchRow, settlement: Settlement, *, missing: str | None = None
) -> None:
    """File the settlement under the batch's tasks; with `missing`, a task the provider holds no
    deletion for fails with that message instead of going into the next batch."""
    with db.session() as session:
        ticket_ids = set(session.scalars(select(TaskRow.ticket_id).where(TaskRow.id.in_(batch.task_ids))))
        tickets = tracking.lock_tickets(session, ticket_ids)
        row = session.get(BatchRow, batch.id, populate_existing=True)
        if row is None or row.status != states.BatchStatus.CALLING:
            return
        tasks = list(
            session.scalars(select(TaskRow).where(TaskRow.id.in_(batch.task_ids)).order_by(TaskRow.id))
        )
        following.attach(session, batch.connection, batch.id, tasks, settlement.jobs)
        links = _links(session, [t.id for t in tasks])
        failed = bool(settlement.failures) and not settlement.jobs
        row.status = states.BatchStatus.FAILED if failed else states.BatchStatus.DONE
        row.finished_at = utcnow()
        row.error = next(iter(settlement.failures.values()), None)
        requeued = False
        for task in tasks:
            if task.status != states.DELETING:  # cancelled meanwhile: the provider goes on all the same
                _record(session, batch, task, settlement, len(tasks))
                continue
            requeued |= _settle(session, batch, task, settlement, links.get(task.id, []), len(tasks), missing)
        if requeued:
            batching.request_batcher(queue, session, batch.connection)
        tracking.settle_many(session, tickets, actor=tracking.WORKER)


def _settle(
    session: Session,
    batch: BatchRow,
    task: TaskRow,
    settlement: Settlement,
    rows: list[ProviderJobRow],
    size: int,
    missing: str | None,
) -> bool:
    """Move one task; True when it went back into the lane."""
    ids = [str(i["id"]) for i in task.identities]
    failure = next((settlement.failures[i] for i in ids if i in settlement.failures), None)
    if failure is not None:
        _record(session, batch, task, settlement, size)
        tracking.move(session, task, states.FAILED, actor=tracking.WORKER, error=failure)
        return False
    if settlement.missing.intersection(ids) and missing is not None:
        _record(session, batch, task, settlement, size)
        tracking.move(session, task, states.FAILED, actor=tracking.WORKER, error=missing)
        return False
    if settlement.missing.intersection(ids):
        task.batch_id = None  # the jobs found for it stay linked; the next call leaves those people out
        message = f"{batch.connection}: the provider holds no deletion for this person; next batch."
        tracking.move(session, task, states.READY, actor=tracking.WORKER, message=message)
        return True
    _record(session, batch, task, settlement, size)
    following.update_task(session, task, actor=tracking.WORKER, rows=rows)
    return False


def _record(session: Session, batch: BatchRow, task: TaskRow, settlement: Settlement, size: int) -> None:
    ids = {str(i["id"]) for i in task.identities}
    jobs = [j for j in settlement.jobs if ids.intersection(capabilities.covered(j))]
    if not jobs:
        return
    hows = {settlement.how[i] for i in ids if i in settlement.how}
    how = next((h for h in HOWS if h in hows), "called")
    summary = ", ".join(f"{j.id} ({j.status})" for j in jobs)
    tracking.record(
        session,
        task.ticket_id,
        tracking.WORKER,
        "provider_call",
        f"{batch.connection}: deletion requested for {len(task.identities)} identity(ies) in batch "
        f"{batch.id} ({size} in the batch); provider job(s): {summary}{NOTES.get(how, '')}.",
        connection=batch.connection,
        batch=batch.id,
        jobs=[j.id for j in jobs],
        how=how,
    )


def _links(session: Session, task_ids: list[int]) -> dict[int, list[ProviderJobRow]]:
    """Every provider job linked to these tasks (this round's: a restart unlinks the earlier ones)."""
    query = (
        select(TaskJobRow.task_id, ProviderJobRow)
        .join(ProviderJobRow, ProviderJobRow.id == TaskJobRow.provider_job_id)
        .where(TaskJobRow.task_id.in_(task_ids))
        .order_by(ProviderJobRow.id)
    )
    found: dict[int, list[ProviderJobRow]] = defaultdict(list)
    for task_id, row in session.execute(query):
        found[task_id].append(row)
    return found


def _covered_by(rows: Sequence[ProviderJobRow]) -> set[str]:
    """The identity ids these provider jobs cover."""
    return {i for row in rows for i in capabilities.covered(following.as_provider_job(row, row.connection))}
