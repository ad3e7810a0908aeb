"""Erasing the person from Headwater's own replicas: a delete request's tasks beside the provider ones.

A sync records every place it loads a connection's events into (`sync.replicas`). A delete ticket gets
one **replica task** per such place of its connections (`TaskRow.provider` is `REPLICA`, and
`ReplicaTaskRow` names the replica). Its path through the state machine is the short one::

    pending -> completed | failed        (cancelled, and retried from failed, like any task)

The ticket's own identifiers are suppressed at intake (keyed hashes, `sync.suppression`), so no sync
loads the person again while the deletion is pending. One job per ticket (`for_ticket`) then waits,
without using an attempt, until every provider task has found the person; suppresses everything they
were found as — the email, FullStory's uid and user id, Amplitude's user_id and amplitude_ids — in
each connection, replica or not; and erases them from each replica, without waiting for the
providers' deletions: the rows go as soon as the person is known. A replica task stays fresh until
then. The count goes into the task, and the audit trail says "replica fs → duckdb:///…: 39 rows
erased". A replica task a person restarts (`dsr retry`) gets a job of its own (`erase_task`).

A replica a sync is loading is erased once the load ends (`ReplicaBusy`); one that cannot be reached
fails the task with the reason, as a provider that refuses does. All replica SQL is the sync layer's
(`sync.erasing`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headwater.errors import HeadwaterError
from headwater.jobs.context import JobSubmitter, TaskContext
from headwater.jobs.outcomes import Defer, Retry, describe
from headwater.jobs.registry import task as job_task
from headwater.privacy import states, tracking
from headwater.privacy.models import TaskRow, TicketRow
from headwater.privacy.replica_models import REPLICA, ReplicaTaskRow
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.sync import erasing, replicas, suppression
from headwater.sync.providers import event_export
from headwater.sync.source import PersonColumns
from headwater.vault import Vault, load_keyring

ERASE_KIND = "privacy.erase_replica"
#: how soon to look again while the provider task is still finding the person (seconds): soon at
#: first, then less often, so a thousand imported tickets waiting for their lanes do not churn the queue
RESOLVING_RETRY = 1.0
RESOLVING_RETRY_MAX = 60.0
#: how soon to try again while a sync is loading the replica (seconds)
BUSY_RETRY = 15.0
SUBJECT_FIELDS = ("fullstory_uid", "amplitude_user_id", "amplitude_id")


def is_replica(task: TaskRow) -> bool:
    return task.provider == REPLICA


def job_key(task: TaskRow) -> str:
    return f"dsr:replica:{task.id}:{task.round}"


def enqueue(queue: JobSubmitter, session: Session, task: TaskRow) -> None:
    """In the caller's transaction: the job that erases the person from this task's replica."""
    queue.enqueue(session, ERASE_KIND, {"task": task.id, "round": task.round}, dedupe_key=job_key(task))


def ticket_values(ticket: TicketRow) -> dict[str, set[str]]:
    """What the ticket itself names the person by: the email, and any ids given with it."""
    values: dict[str, set[str]] = defaultdict(set)
    values["email"].add(ticket.email)
    for name in SUBJECT_FIELDS:
        if ticket.identifiers.get(name) not in (None, ""):
            values[name].add(str(ticket.identifiers[name]))
    return values


def _person(kind: str) -> PersonColumns | None:
    try:
        return event_export(kind).person
    except HeadwaterError:
        return None  # a kind whose events are not replicated


def _kept(values: dict[str, set[str]], person: PersonColumns) -> dict[str, frozenset[str]]:
    return {field: frozenset(found) for field, found in values.items() if field in person.holds and found}


def begin(
    session: Session,
    queue: JobSubmitter,
    key: bytes,
    ticket: TicketRow,
    targets: Iterable[tuple[str, str]],
    *,
    actor: str,
) -> list[TaskRow]:
    """At intake of a delete ticket, in its transaction: suppress the ticket's identifiers in each of
    its connections (`targets`: (name, kind)), add one replica task per replica, and queue the
    ticket's own-copies job (`for_ticket`)."""
    connections = dict(targets)
    for connection, kind in connections.items():
        person = _person(kind)
        if person is not None:
            suppression.suppress(
                session,
                key,
                connection=connection,
                request=ticket.id,
                values=_kept(ticket_values(ticket), person),
            )
    created = []
    at = utcnow()
    for place in replicas.places(session, connections):
        task = TaskRow(
            ticket_id=ticket.id,
            connection=place.connection,
            provider=REPLICA,
            status=states.PENDING,
            round=0,
            attempts=0,
            identities=[],
            records=0,
            counts={"replica": place.display},
            created_at=at,
            updated_at=at,
        )
        session.add(task)
        session.flush()
        session.add(ReplicaTaskRow(task_id=task.id, replica_id=place.id))
        tracking.record(
            session,
            ticket.id,
            actor,
            "replica_task",
            f"replica {place.connection} → {place.display}: the person's rows will be erased from it.",
            task=task.id,
            connection=place.connection,
            replica=place.display,
        )
        created.append(task)
    queue.enqueue(session, ERASE_KIND, {"ticket": ticket.id}, dedupe_key=f"dsr:own-copies:{ticket.id}")
    return created


@job_task(ERASE_KIND)
def run_erase(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    """The `privacy.erase_replica` job: {ticket} at intake (`for_ticket`), {task, round} for a replica
    task a person restarted."""
    if "ticket" in payload:
        ticket_id = str(payload["ticket"])
        try:
            return for_ticket(ctx, ticket_id)
        except Defer:
            raise
        except Exception as exc:
            if ctx.attempt < ctx.max_attempts:
                raise
            return _fail_pending(
                ctx.db, ticket_id, f"The erase stopped: {describe(exc)}. Then `headwater dsr retry`."
            )
    task_id, round_ = int(payload["task"]), int(payload.get("round", 0))
    try:
        return erase_task(ctx, task_id, round_)
    except (Defer, Retry):
        raise
    except Exception as exc:
        return _given_up(ctx, task_id, round_, exc)


def _given_up(ctx: TaskContext, task_id: int, round_: int, exc: Exception) -> dict[str, Any]:
    """An unexpected error: retried while attempts remain, then written on the task as its failure."""
    if ctx.attempt < ctx.max_attempts:
        _note(ctx.db, task_id, f"Temporary problem, retrying: {describe(exc)}")
        raise exc
    return _fail(ctx.db, task_id, round_, f"The erase stopped: {describe(exc)}. Then `headwater dsr retry`.")


def for_ticket(ctx: TaskContext, ticket_id: str) -> dict[str, Any]:
    """Once every provider task has found the person: suppress all they were found as, in each
    connection (whether or not a replica exists yet, so a later first sync drops them too), then erase
    them from each replica. A busy replica is tried again later; the others are done meanwhile."""
    with ctx.db.session() as session:
        ticket = session.get(TicketRow, ticket_id)
        if ticket is None:
            return {"skipped": "no such ticket"}
        tasks = tracking.tasks_of(session, ticket.id)
        providers = [t for t in tasks if not is_replica(t)]
        if any(t.status == states.PENDING for t in providers):
            raise Defer(_resolving_wait(ticket), "the person is still being looked up")
        by_connection: dict[str, dict[str, frozenset[str]]] = {}
        for task in providers:
            person = _person(task.provider)
            if person is not None:
                values = ticket_values(ticket)
                for identity in task.identities:
                    for field, value in person.identity_fields(identity):
                        values[field].add(value)
                by_connection[task.connection] = _kept(values, person)
        pending = [(t.id, t.round) for t in tasks if is_replica(t) and t.status == states.PENDING]
    if by_connection:
        key = suppression.load_key(ctx.db, Vault(load_keyring(ctx.settings)))
        with ctx.db.session() as session:
            for connection, known in by_connection.items():
                suppression.suppress(session, key, connection=connection, request=ticket_id, values=known)
    busy = again = False
    erased = 0
    for task_id, round_ in pending:
        try:
            erased += int(erase_task(ctx, task_id, round_).get("rows", 0))
        except Defer:
            busy = True
        except Retry:
            again = True
        except Exception as exc:
            try:
                _given_up(ctx, task_id, round_, exc)
            except Exception:
                again = True
    if again:
        raise Retry("a replica could not be reached; trying again")
    if busy:
        raise Defer(BUSY_RETRY, "a sync is loading a replica")
    return {"ticket": ticket_id, "replicas": len(pending), "rows": erased}


def erase_task(ctx: TaskContext, task_id: int, round_: int) -> dict[str, Any]:
    with ctx.db.session() as session:
        task = session.get(TaskRow, task_id)
        if task is None or task.round != round_ or task.status != states.PENDING or not is_replica(task):
            return {"skipped": "the task moved on"}
        providers = [
            t
            for t in tracking.tasks_of(session, task.ticket_id)
            if t.connection == task.connection and not is_replica(t)
        ]
        ticket = session.get(TicketRow, task.ticket_id)
        link = session.get(ReplicaTaskRow, task_id)
        assert ticket is not None and link is not None
        if any(t.status == states.PENDING for t in providers):
            raise Defer(_resolving_wait(ticket), f"{task.connection} is still finding the person")
        values = ticket_values(ticket)
        identities = [identity for t in providers for identity in t.identities]
        replica_id, connection = link.replica_id, task.connection
    vault = Vault(load_keyring(ctx.settings))
    replica = replicas.get(ctx.db, vault, replica_id)
    person = _person(replica.kind)
    if person is None:
        return _fail(
            ctx.db, task_id, round_, f"{replica}: {replica.kind} events are not replicated any more."
        )
    for identity in identities:
        for field, value in person.identity_fields(identity):
            values[field].add(value)
    wanted = _kept(values, person)
    key = suppression.load_key(ctx.db, vault)
    _start(ctx.db, key, task_id, round_, replica, wanted)

    def suppress_linked(linked: dict[str, frozenset[str]]) -> None:
        if linked:
            with ctx.db.session() as session:
                suppression.suppress(
                    session, key, connection=connection, request=_ticket_of(session, task_id), values=linked
                )

    try:
        erased = erasing.erase(replica, person, wanted, on_linked=suppress_linked)
    except erasing.ReplicaBusy:
        _note(ctx.db, task_id, f"{replica}: waiting for the sync that is loading it to finish.")
        raise Defer(BUSY_RETRY, "a sync is loading the replica") from None
    except erasing.ReplicaUnreachable as exc:
        reason = f"{replica}: {exc.message}" + (f" {exc.hint}" if exc.hint else "")
        if exc.temporary and ctx.attempt < ctx.max_attempts:
            _note(ctx.db, task_id, f"Temporary problem, retrying: {reason}")
            raise Retry(reason) from None
        return _fail(ctx.db, task_id, round_, f"{reason} Then `headwater dsr retry` the ticket.")
    _finish(ctx.db, task_id, round_, replica, erased, sorted(wanted))
    return {"task": task_id, "rows": erased.rows}


def _start(
    db: Database,
    key: bytes,
    task_id: int,
    round_: int,
    replica: replicas.Replica,
    values: dict[str, frozenset[str]],
) -> None:
    """The task is tried (no longer fresh: the ticket is under way) and the person is suppressed, before
    any row is erased."""
    with db.session() as session:
        tickets = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is None or task.round != round_ or task.status != states.PENDING:
            return
        task.attempts += 1
        task.updated_at = utcnow()
        task.counts = {"replica": replica.display}
        suppression.suppress(
            session, key, connection=replica.connection, request=task.ticket_id, values=values
        )
        tracking.settle_many(session, tickets, actor=tracking.WORKER)


def _finish(
    db: Database,
    task_id: int,
    round_: int,
    replica: replicas.Replica,
    erased: erasing.Erased,
    fields: list[str],
) -> None:
    with db.session() as session:
        tickets = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is None:
            return
        message = f"{replica}: {erased.rows} rows erased."
        tracking.record(
            session,
            task.ticket_id,
            tracking.WORKER,
            "replica_erased",
            message,
            task=task.id,
            connection=task.connection,
            replica=replica.display,
            rows=erased.rows,
            by=fields,
            linked={field: len(found) for field, found in erased.linked.items()},
        )
        if task.round == round_:
            task.records = erased.rows
            task.identities = [{"kind": REPLICA, "id": field, "label": field} for field in fields]
            task.counts = {"replica": replica.display, "rows": erased.rows, "by": fields}
            tracking.move(session, task, states.COMPLETED, actor=tracking.WORKER, message=message)
        tracking.settle_many(session, tickets, actor=tracking.WORKER)


def _fail(db: Database, task_id: int, round_: int, message: str) -> dict[str, Any]:
    with db.session() as session:
        tickets = tracking.lock_tickets(session, [_ticket_of(session, task_id)])
        task = session.get(TaskRow, task_id, populate_existing=True)
        if task is not None and task.round == round_:
            if task.fresh:
                task.attempts = 1  # tried: a retry restarts it from pending
            tracking.move(session, task, states.FAILED, actor=tracking.WORKER, error=message)
            tracking.settle_many(session, tickets, actor=tracking.WORKER)
    return {"task": task_id, "status": states.FAILED, "error": message}


def _resolving_wait(ticket: TicketRow) -> float:
    age = (utcnow() - ticket.created_at).total_seconds()
    return min(RESOLVING_RETRY_MAX, max(RESOLVING_RETRY, age / 5))


def _fail_pending(db: Database, ticket_id: str, message: str) -> dict[str, Any]:
    """The ticket's job gave up: its replica tasks still pending say why, instead of waiting for ever."""
    with db.session() as session:
        pending = [
            (t.id, t.round)
            for t in tracking.tasks_of(session, ticket_id)
            if is_replica(t) and t.status == states.PENDING
        ]
    for task_id, round_ in pending:
        _fail(db, task_id, round_, message)
    return {"ticket": ticket_id, "status": states.FAILED, "error": message}


def _note(db: Database, task_id: int, message: str) -> None:
    with db.session() as session:
        task = session.get(TaskRow, task_id)
        if task is not None:
            task.last_error = message
            task.updated_at = utcnow()


def _ticket_of(session: Session, task_id: int) -> str:
    ticket_id = session.scalar(select(TaskRow.ticket_id).where(TaskRow.id == task_id))
    return str(ticket_id or "")
