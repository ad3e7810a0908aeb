"""`JobQueue`: the small API services use to create work and look at it.

A job is a row committed before anything is dispatched: `submit()` commits its own transaction;
`enqueue()` adds the row to the caller's transaction (a ticket and its job commit together) and dispatches
it only after that transaction commits. In embedded mode dispatching is a no-op (workers poll the store);
in Celery mode a message naming the job is published, and the sweeper re-sends what was not. Which of the
two is the `Dispatcher` handed in (`dispatch.open_queue` chooses it), so this module never reaches Celery.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from headwater.config import Settings
from headwater.errors import BadInput, Conflict, NotFound
from headwater.jobs import registry
from headwater.jobs.models import DEAD, QUEUED, RUNNING, STATUSES, SUCCEEDED, SUPERSEDED, JobRow
from headwater.jobs.settings import JobSettings
from headwater.store import Database, audit
from headwater.store.models import utcnow
from headwater.store.sql import insert_ignoring_conflict

log = logging.getLogger(__name__)
_PENDING = "headwater.jobs.pending_dispatch"


class Dispatcher(Protocol):
    """How committed job rows reach workers: nothing to send (embedded), or a broker message each."""

    mode: str  # "embedded" | "celery"

    def send(self, job_ids: Sequence[int]) -> list[int]:
        """Publish what can be published; returns the ids that were sent."""
        ...


class JobQueue:
    def __init__(
        self, db: Database, settings: Settings, job_settings: JobSettings, *, dispatcher: Dispatcher
    ) -> None:
        self.db = db
        self.settings = settings
        self.job_settings = job_settings
        registry.load(self.job_settings.extra_modules)
        self.dispatcher = dispatcher

    @property
    def mode(self) -> str:
        return self.dispatcher.mode

    def submit(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        run_at: datetime | None = None,
        dedupe_key: str | None = None,
        max_attempts: int | None = None,
    ) -> JobRow:
        """Create a job in its own transaction; with `dedupe_key`, an existing job of that key is returned."""
        with self.db.session() as session:
            return self.enqueue(
                session, kind, payload, run_at=run_at, dedupe_key=dedupe_key, max_attempts=max_attempts
            )

    def enqueue(
        self,
        session: Session,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        run_at: datetime | None = None,
        dedupe_key: str | None = None,
        max_attempts: int | None = None,
    ) -> JobRow:
        """Add a job to the caller's transaction; it is dispatched once that transaction commits."""
        spec = registry.get(kind)
        payload = _checked_payload(payload)
        at = utcnow()
        if run_at is not None and run_at.tzinfo is None:
            raise BadInput("run_at must be timezone-aware.", hint="Use datetime.now(UTC) + timedelta(...).")
        values: dict[str, Any] = {
            "kind": kind,
            "payload": payload,
            "status": QUEUED,
            "attempts": 0,
            "max_attempts": max_attempts or spec.max_attempts or self.job_settings.max_attempts,
            "run_at": run_at or at,
            "dedupe_key": dedupe_key,
            "created_at": at,
            "updated_at": at,
        }
        if dedupe_key is None:
            job = JobRow(**values)
            session.add(job)
            session.flush()
        else:
            inserted = insert_ignoring_conflict(session, JobRow.__table__, values, "dedupe_key")  # type: ignore[arg-type]
            job = session.scalars(select(JobRow).where(JobRow.dedupe_key == dedupe_key)).one()
            if not inserted:
                return job
        if job.run_at <= at:
            self._dispatch_after_commit(session, job.id)
        return job

    def _dispatch_after_commit(self, session: Session, job_id: int) -> None:
        if self.mode == "embedded":
            return
        pending: list[int] = session.info.setdefault(_PENDING, [])
        if not pending:
            event.listen(session, "after_commit", self._after_commit, once=True)
            event.listen(session, "after_rollback", lambda s: s.info.pop(_PENDING, None), once=True)
        pending.append(job_id)

    def _after_commit(self, session: Session) -> None:
        self.dispatch(session.info.pop(_PENDING, []))

    def dispatch(self, job_ids: Sequence[int]) -> list[int]:
        """Publish jobs to the broker (Celery mode); marks them first so a fast worker's update wins."""
        if not job_ids or self.mode == "embedded":
            return []
        ids = list(job_ids)
        self._mark(ids, utcnow())
        sent = self.dispatcher.send(ids)
        delivered = set(sent)
        unsent = [job_id for job_id in ids if job_id not in delivered]
        if unsent:
            self._mark(unsent, None)
        return sent

    def _mark(self, ids: list[int], when: datetime | None) -> None:
        with self.db.session() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id.in_(ids), JobRow.status == QUEUED)
                .values(dispatched_at=when)
                .execution_options(synchronize_session=False)
            )

    def get(self, job_id: int) -> JobRow:
        with self.db.session() as session:
            job = session.get(JobRow, job_id)
        if job is None:
            raise NotFound(f"There is no job {job_id}.", hint="`headwater jobs list` shows the jobs.")
        return job

    def list_jobs(
        self, *, status: str | None = None, kind: str | None = None, limit: int = 50
    ) -> list[JobRow]:
        """Newest first."""
        if status is not None and status not in STATUSES:
            raise BadInput(f"Unknown job status {status!r}.", hint=f"Use one of: {', '.join(STATUSES)}.")
        query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(JobRow.status == status)
        if kind is not None:
            query = query.where(JobRow.kind == kind)
        with self.db.session() as session:
            return list(session.scalars(query))

    def retry(self, job_id: int, *, actor: str) -> JobRow:
        """Run a dead job again with fresh attempts, or a job waiting on its backoff right now.

        The audit trail records who asked (`job.retried`), in the transaction that queues the job again.
        """
        job = self.get(job_id)
        if job.status == RUNNING:
            raise Conflict(
                f"Job {job_id} is running on {job.lease_owner}.",
                hint="Wait for it to finish; if its worker died it is run again when its lease runs out.",
            )
        if job.status == SUCCEEDED:
            raise Conflict(f"Job {job_id} already succeeded.", hint="Submit a new job to run it again.")
        if job.status == SUPERSEDED:
            note = (job.result or {}).get("superseded", "another job finished its work")
            raise Conflict(f"Job {job_id} needs no retry: {note}.", hint="Submit a new job to run it again.")
        at = utcnow()
        values: dict[str, Any] = {"status": QUEUED, "run_at": at, "dispatched_at": None, "updated_at": at}
        if job.status == DEAD:
            values.update(attempts=0, finished_at=None)
        with self.db.session() as session:
            session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.status.in_((DEAD, QUEUED))).values(**values)
            )
            audit.record(
                session,
                actor=actor,
                action="job.retried",
                subject_type="job",
                subject_id=job_id,
                message=f"Job {job_id} ({job.kind}) queued to run again.",
            )
        self.dispatch([job_id])
        return self.get(job_id)

    def due_undispatched(self, *, limit: int = 500) -> list[int]:
        """Celery mode: due jobs never sent, or sent so long ago that the message was probably lost."""
        at = utcnow()
        stale = at - timedelta(seconds=self.job_settings.redispatch_seconds)
        query = (
            select(JobRow.id)
            .where(JobRow.status == QUEUED, JobRow.run_at <= at)
            .where((JobRow.dispatched_at.is_(None)) | (JobRow.dispatched_at < stale))
            .order_by(JobRow.run_at, JobRow.id)
            .limit(limit)
        )
        with self.db.session() as session:
            return list(session.scalars(query))


def _checked_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    payload = payload or {}
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"A job payload must be JSON: {exc}.", hint="Pass ids and plain values.") from None
    return payload
