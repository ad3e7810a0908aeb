"""Privacy requests as a service: the functions both faces call, the CLI (`headwater dsr`) and the web
(REST API and dashboard).

Each function takes the `actor` (who is acting, for the audit trail) and returns plain dicts. Work on
providers is never done here: it is queued as jobs in the same transaction as the change that needs it,
except `refresh`, which a person asks for to poll a waiting ticket's provider jobs right now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from headwater.config import Settings
from headwater.connections import Connections
from headwater.errors import BadInput
from headwater.jobs.dispatch import open_queue
from headwater.jobs.queue import JobQueue
from headwater.privacy import (
    batching,
    duplicates,
    erasure,
    evidence,
    following,
    intake,
    listing,
    orchestration,
    package,
    resolving,
    states,
    tracking,
)
from headwater.privacy.listing import TicketFilter
from headwater.privacy.models import TaskJobRow, TaskRow
from headwater.privacy.pool import Connectors
from headwater.privacy.subjects import uid_field
from headwater.privacy.views import ticket_as_dict
from headwater.store import Database, audit, paging
from headwater.store.models import utcnow
from headwater.sync import suppression
from headwater.text_input import check_text
from headwater.vault import Vault, load_keyring

__all__ = ["Privacy", "orchestration"]


@dataclass
class Privacy:
    db: Database
    queue: JobQueue
    connections: Connections
    settings: Settings

    @classmethod
    def open(cls, settings: Settings, db: Database | None = None) -> Privacy:
        db = db or Database.open(settings)
        vault = Vault(load_keyring(settings))
        return cls(db, open_queue(db, settings), Connections(db, vault), settings)

    def create(
        self,
        *,
        kind: str,
        email: str,
        identifiers: dict[str, Any] | None = None,
        connections: list[str] | None = None,
        regulation: str = "gdpr",
        actor: str,
        received_at: datetime | None = None,
        unless_open: bool = False,
    ) -> dict[str, Any]:
        """Check the request, then commit the ticket, its tasks, its audit entry and its jobs together.

        With `unless_open`, a person who already has an open request of this kind gets no second one:
        `duplicates.AlreadyOpen` names it (bulk import, so a file imported twice files nobody twice)."""
        request = intake.check(
            kind, email, identifiers or {}, connections, regulation, received_at, self.connections.list_all()
        )
        key = suppression.load_key(self.db, self.connections.vault) if request.kind == "delete" else b""
        with self.db.session() as session:
            if unless_open:
                duplicates.hold(session, request.kind, request.email)
            ticket, tasks = intake.build(session, request, actor=actor)
            if unless_open:
                duplicates.refuse_twin(session, ticket)
            for task in tasks:
                if ticket.kind == "delete":  # resolved and deleted by the connection's lane (`fresh`)
                    batching.request_batcher(self.queue, session, task.connection)
                else:
                    self._queue_task(session, task)
            if ticket.kind == "delete":  # Headwater's own copies: suppressed now, erased by their tasks
                targets = [(c.name, c.kind) for c in request.targets]
                erasure.begin(session, self.queue, key, ticket, targets, actor=actor)
        return self.show(ticket.id)

    def list_tickets(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        regulation: str | None = None,
        overdue: bool = False,
        due_within_days: int | None = None,
        connection: str | None = None,
        search: str | None = None,
        needs_attention: bool = False,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """The newest tickets that match every filter given (see `listing.TicketFilter`)."""
        filters = TicketFilter(
            status, kind, regulation, overdue, due_within_days, connection, search, needs_attention
        )
        return self.page_tickets(filters, limit=limit)[0]

    def page_tickets(
        self, filters: TicketFilter, *, limit: int = paging.DEFAULT_LIMIT, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of matching tickets, newest first, and the cursor of the next page (None: no more)."""
        return listing.page(self.db, filters, limit=limit, cursor=cursor)

    def ticket_counts(self, *, soon_days: int = 7) -> listing.Overview:
        """Open tickets by status, and how many are overdue, due within `soon_days`, failed or needing
        attention."""
        return listing.overview(self.db, soon_days=soon_days)

    def show(self, ticket_id: str) -> dict[str, Any]:
        with self.db.session() as session:
            ticket = tracking.get_ticket(session, ticket_id)
            return ticket_as_dict(ticket, tracking.tasks_of(session, ticket.id), utcnow())

    def audit(self, ticket_id: str) -> list[dict[str, Any]]:
        with self.db.session() as session:
            ticket = tracking.get_ticket(session, ticket_id)
            return [audit.as_dict(row) for row in audit.trail(session, tracking.SUBJECT, ticket.id)]

    def retry(self, ticket_id: str, *, actor: str) -> dict[str, Any]:
        """Run failed tasks (and ones waiting for input) again from the start."""
        with self.db.session() as session:
            ticket = tracking.get_ticket(session, ticket_id, lock=True)
            tasks = tracking.tasks_of(session, ticket.id)
            states.check_retry(ticket.id, ticket.status, (t.status for t in tasks))
            retried = [t for t in tasks if t.status in states.RETRYABLE]
            tracking.record(
                session, ticket.id, actor, "retried", f"Retry of {', '.join(t.connection for t in retried)}."
            )
            for task in retried:  # a delete keeps its identities: they are asked about before resending
                self._restart(session, task, actor, keep_identities=ticket.kind == "delete")
            tracking.settle(session, ticket, actor=actor)
        return self.show(ticket_id)

    def cancel(self, ticket_id: str, *, actor: str, reason: str = "") -> dict[str, Any]:
        check_text(reason, "The reason")
        with self.db.session() as session:
            ticket = tracking.get_ticket(session, ticket_id, lock=True)
            states.check_cancel(ticket.id, ticket.status)
            tasks = tracking.tasks_of(session, ticket.id)
            started = [t.connection for t in tasks if t.status in (states.DELETING, states.WAITING)]
            note = (
                f" Deletions already requested in {', '.join(started)} go on at the provider."
                if started
                else ""
            )
            tracking.record(session, ticket.id, actor, "cancelled", f"Cancelled. {reason}".strip() + note)
            for task in tasks:
                if states.can_move(task.status, states.CANCELLED):  # completed ones stay completed
                    tracking.move_for_person(session, task, states.CANCELLED, actor=actor)
            ticket.status = states.CANCELLED
            ticket.closed_at = utcnow()
            tracking.record(
                session, ticket.id, actor, "status_changed", "Ticket -> cancelled.", after=states.CANCELLED
            )
        return self.show(ticket_id)

    def set_identity(
        self,
        ticket_id: str,
        *,
        connection: str,
        uid: str | None = None,
        amplitude_id: int | None = None,
        actor: str,
    ) -> dict[str, Any]:
        """Give the identifier a connection needs (its uid / user id), then resolve that task again."""
        if not (uid and uid.strip()) and amplitude_id is None:
            raise BadInput("Give the identifier to set.", hint="Pass --uid (or --amplitude-id).")
        with self.db.session() as session:
            ticket = tracking.get_ticket(session, ticket_id, lock=True)
            task = next(
                (
                    t
                    for t in tracking.tasks_of(session, ticket.id)
                    if t.connection == connection and not erasure.is_replica(t)
                ),
                None,
            )
            if task is None:
                raise BadInput(f"{ticket.id} has no task for connection {connection!r}.")
            states.check_set_identity(f"The {connection} task of {ticket.id}", task.status)
            values = dict(ticket.identifiers)
            if uid and uid.strip():
                values[uid_field(task.provider)] = uid.strip()
            if amplitude_id is not None:
                values["amplitude_id"] = int(amplitude_id)
            ticket.identifiers = intake.clean(values)
            tracking.record(
                session,
                ticket.id,
                actor,
                "identity_set",
                f"{connection}: identifier given ({', '.join(sorted(set(values) - {'email'}))}).",
                connection=connection,
            )
            self._restart(session, task, actor)
            tracking.settle(session, ticket, actor=actor)
        return self.show(ticket_id)

    def refresh(self, ticket_id: str, *, actor: str) -> dict[str, Any]:
        """Poll this ticket's open provider jobs now, whatever their schedule says: the ticket, how many
        jobs the providers answered about (`polled`), and each one that could not be polled, with why
        (`poll_failures`; a `permanent` one failed its waiting tasks)."""
        with self.db.session() as session:
            ticket = tracking.get_ticket(session, ticket_id)
        targets = following.due(self.db, utcnow(), ticket_id=ticket.id)
        ready = resolving.collect_later(self.queue)
        report = following.poll(
            self.db, Connectors(self.connections), targets, actor=actor, on_copy_ready=ready
        )
        return {
            **self.show(ticket.id),
            "polled": report.polled,
            "poll_failures": [f.as_dict() for f in report.failures],
        }

    def package(self, ticket_id: str, out: Path, *, actor: str) -> dict[str, Any]:
        """A copy request's access package; a delete request's evidence package (`evidence`)."""
        with self.db.session() as session:
            kind = tracking.get_ticket(session, ticket_id).kind
        if kind == "delete":
            return evidence.write(self.db, ticket_id, out, actor=actor)
        return package.write(self.db, Vault(load_keyring(self.settings)), ticket_id, out, actor=actor)

    def _restart(self, session: Any, task: TaskRow, actor: str, *, keep_identities: bool = False) -> None:
        # the provider jobs of earlier rounds stay on record, but no longer decide this task's state
        session.execute(delete(TaskJobRow).where(TaskJobRow.task_id == task.id))
        task.round += 1
        task.batch_id, task.records, task.counts = None, 0, {}
        if not keep_identities:
            task.identities = []
        tracking.move_for_person(
            session, task, states.PENDING, actor=actor, message=f"{task.connection}: started again."
        )
        task.last_error = None
        self._queue_task(session, task)

    def _queue_task(self, session: Any, task: TaskRow) -> None:
        if erasure.is_replica(task):
            erasure.enqueue(self.queue, session, task)
            return
        payload = {"task": task.id, "round": task.round}
        self.queue.enqueue(session, resolving.TASK_KIND, payload, dedupe_key=resolving.task_key(task))
