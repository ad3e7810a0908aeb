"""One task's own steps: find the person in the connection, then (delete) hand them to the delete lane,
or (copy) collect what the provider holds about them.

Copies run here, and so do delete tasks a person restarted (retry, set-identity) or that their lane
handed over after a temporary error; fresh delete tasks are resolved by their lane in bulk (`fresh`).

A retried delete task still has the identities of its earlier round, and its deletion may have landed
although the task failed (a call whose answer was lost, a batch whose job died). So the provider is
asked first (`find_deletions`): what it holds is followed, never requested again, and a person whose
every deletion was found is not looked up again (a user FullStory purged is found by uid no more).

Outcomes a person can act on are written on the task (needs input, an unknown uid, refused credentials);
temporary failures are raised so that the job system retries them with backoff, and written on the task
as failed once the attempts run out.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from sqlalchemy.orm import Session

from headwater.connectors.base import Connector, Identity, NeedsInput, ProviderJob
from headwater.errors import TRANSIENT_ERRORS, HeadwaterError
from headwater.jobs.context import JobSubmitter, TaskContext
from headwater.privacy import batching, capabilities, exports, findings, following, states, tracking
from headwater.privacy.models import TaskRow
from headwater.privacy.pool import Connectors
from headwater.privacy.subjects import subject_of
from headwater.store.models import utcnow
from headwater.vault import Vault, load_keyring

TASK_KIND = "privacy.task"


def task_key(task: TaskRow) -> str:
    return f"dsr:task:{task.id}:{task.round}"


def collect_key(task: TaskRow) -> str:
    """The job that collects a copy the provider has finished preparing."""
    return f"{task_key(task)}:collect"


def collect_later(queue: JobSubmitter) -> Callable[[Session, TaskRow], None]:
    """What following calls, in its transaction, when a copy task's provider jobs are all done."""

    def enqueue(session: Session, task: TaskRow) -> None:
        payload = {"task": task.id, "round": task.round}
        queue.enqueue(session, TASK_KIND, payload, dedupe_key=collect_key(task))

    return enqueue


def run_task(ctx: TaskContext, task_id: int, round_: int, connectors: Connectors) -> dict[str, Any]:
    with ctx.db.session() as session:
        task = session.get(TaskRow, task_id)
        if task is None or task.round != round_ or task.status not in (states.PENDING, states.EXPORTING):
            return {"skipped": "the task moved on"}
        ticket = tracking.get_ticket(session, task.ticket_id, lock=True)
        task = session.get(TaskRow, task_id, populate_existing=True)
        assert task is not None
        task.attempts += 1
        tracking.settle(session, ticket, actor=tracking.WORKER)
        status, kind = task.status, ticket.kind
        subject = subject_of(ticket.email, ticket.identifiers)
        earlier = [capabilities.identity_from_json(i) for i in task.identities] if kind == "delete" else []
    with ExitStack() as stack:
        try:
            connector: Connector = stack.enter_context(connectors.using(task.connection))
        except HeadwaterError as exc:
            return _fail(ctx, task_id, round_, findings.cannot_use(task.connection, exc))
        try:
            if (
                status == states.PENDING
                and earlier
                and _found_earlier(ctx, connector, task_id, round_, earlier)
            ):
                return {"task": task_id, "status": states.READY, "found_earlier": True}
            if status == states.PENDING:
                status = _resolve(ctx, connector, task_id, round_, subject, deleting=kind == "delete")
            if status == states.EXPORTING:
                _export(ctx, connector, task_id, round_)
        except NeedsInput as exc:
            _needs_input(ctx, task_id, round_, exc)
        except TRANSIENT_ERRORS as exc:
            if ctx.attempt < ctx.max_attempts:
                _note(ctx, task_id, f"Temporary problem, retrying: {exc}")
                raise
            message = f"{task.connection} kept failing: {exc}. Retry the ticket later."
            return _fail(ctx, task_id, round_, message)
        except HeadwaterError as exc:
            return _fail(ctx, task_id, round_, f"{task.connection}: {findings.describe(exc)}")
    return {"task": task_id, "status": status}


def _found_earlier(
    ctx: TaskContext, connector: Connector, task_id: int, round_: int, earlier: list[Identity]
) -> bool:
    """Link the deletions the provider already holds for the task's earlier identities; True when they
    cover all of them, and the task went on to its lane (whose call leaves them out) without a lookup."""
    try:
        found = capabilities.deletion_finder(connector)(earlier)
    except capabilities.CannotTell:
        return False  # as the task's error said: the deletion is requested again
    if not found:
        return False
    with ctx.db.session() as session:
        ticket = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is None or task.round != round_ or task.status != states.PENDING:
            return True
        following.attach(session, task.connection, None, [task], found)
        covered = {i for job in found for i in capabilities.covered(job)}
        tracking.record(
            session,
            task.ticket_id,
            tracking.WORKER,
            "provider_call",
            f"{task.connection}: a deletion was requested earlier and the provider holds it: "
            f"{', '.join(f'{j.id} ({j.status})' for j in found)}; not requested again.",
            connection=task.connection,
            jobs=[j.id for j in found],
            how="verified",
        )
        whole = all(identity.id in covered for identity in earlier)
        if whole:
            tracking.move(session, task, states.READY, actor=tracking.WORKER)
            batching.request_batcher(ctx.queue, session, task.connection)
        tracking.settle_many(session, ticket, actor=tracking.WORKER)
        return whole


def _resolve(
    ctx: TaskContext, connector: Connector, task_id: int, round_: int, subject: Any, *, deleting: bool
) -> str:
    identities = capabilities.identities_for(connector, subject, deleting=deleting)
    with ctx.db.session() as session:
        ticket = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is None or task.round != round_ or task.status != states.PENDING:
            return "moved on"
        if deleting:  # people whose deletion was found earlier stay, even if the provider lists them no more
            linked = {
                i
                for row in following.jobs_of(session, task)
                for i in capabilities.covered(following.as_provider_job(row, task.provider))
            }
            looked_up = {identity.id for identity in identities}
            identities = identities + [
                capabilities.identity_from_json(i)
                for i in task.identities
                if str(i["id"]) in linked and str(i["id"]) not in looked_up
            ]
        status = findings.found(session, task, identities, deleting=deleting)
        if status == states.READY:
            batching.request_batcher(ctx.queue, session, task.connection)
        tracking.settle_many(session, ticket, actor=tracking.WORKER)
        return status


def _export(ctx: TaskContext, connector: Connector, task_id: int, round_: int) -> None:
    """Collect the copy: from the provider's own finished copy jobs, or by asking the provider for
    one (the task then waits for it), or directly with `export_subject`."""
    with ctx.db.session() as session:
        task = session.get(TaskRow, task_id)
        assert task is not None
        identities = [capabilities.identity_from_json(i) for i in task.identities]
        jobs = [following.as_provider_job(r, task.provider) for r in following.jobs_of(session, task)]
    vault = Vault(load_keyring(ctx.settings))
    if not jobs:
        requested = [job for identity in identities for job in connector.request_copy(identity)]
        if requested:
            _wait_for_copy(ctx, task_id, round_, requested)
            return
    if jobs:
        collection = exports.collect(connector.collect_copy, jobs, vault, ctx.check_stop)
    else:
        collection = exports.collect(connector.export_subject, identities, vault, ctx.check_stop)
    with ctx.db.session() as session:
        ticket = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is None or task.round != round_ or task.status != states.EXPORTING:
            return
        exports.replace(session, task_id, collection)
        task.records, task.counts = collection.total, {"people": len(identities), **collection.counts}
        counts = ", ".join(f"{n} {section}" for section, n in collection.counts.items()) or "nothing"
        tracking.record(
            session,
            task.ticket_id,
            tracking.WORKER,
            "provider_call",
            f"{task.connection}: copied {counts} for {len(identities)} identity(ies).",
            connection=task.connection,
            counts=collection.counts,
        )
        tracking.move(session, task, states.COMPLETED, actor=tracking.WORKER)
        tracking.settle_many(session, ticket, actor=tracking.WORKER)


def _wait_for_copy(ctx: TaskContext, task_id: int, round_: int, jobs: list[ProviderJob]) -> None:
    with ctx.db.session() as session:
        ticket = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is None or task.round != round_ or task.status != states.EXPORTING:
            return
        following.attach(session, task.connection, None, [task], jobs)
        task.counts = {
            "people": len(task.identities),
            "provider_jobs": [{"id": j.id, "status": j.status} for j in jobs],
        }
        tracking.record(
            session,
            task.ticket_id,
            tracking.WORKER,
            "provider_call",
            f"{task.connection}: asked the provider for its copy of this person "
            f"(job(s) {', '.join(j.id for j in jobs)}); it is collected once ready.",
            connection=task.connection,
            jobs=[j.id for j in jobs],
        )
        tracking.move(session, task, states.WAITING, actor=tracking.WORKER)
        tracking.settle_many(session, ticket, actor=tracking.WORKER)


def _ticket_of(session: Any, task_id: int) -> str:
    task = session.get(TaskRow, task_id)
    return str(task.ticket_id) if task is not None else ""


def _needs_input(ctx: TaskContext, task_id: int, round_: int, exc: HeadwaterError) -> None:
    with ctx.db.session() as session:
        ticket = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is None or task.round != round_:
            return
        findings.needs_input(session, task, exc)
        tracking.settle_many(session, ticket, actor=tracking.WORKER)


def _fail(ctx: TaskContext, task_id: int, round_: int, message: str) -> dict[str, Any]:
    with ctx.db.session() as session:
        ticket = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is not None and task.round == round_:
            findings.failed(session, task, message)
            tracking.settle_many(session, ticket, actor=tracking.WORKER)
    return {"task": task_id, "status": states.FAILED, "error": message}


def _note(ctx: TaskContext, task_id: int, message: str) -> None:
    with ctx.db.session() as session:
        task = session.get(TaskRow, task_id)
        if task is not None:
            task.last_error = message
            task.updated_at = utcnow()
