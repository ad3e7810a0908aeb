"""Leases on job rows: claiming, heart-beating, and recording how an attempt ended.

Every transition is one conditional UPDATE, so two workers can never both win a job: on PostgreSQL the
candidate is picked with `FOR UPDATE SKIP LOCKED` (workers do not queue behind each other's locks); on
SQLite the single statement runs under the database's write lock. Every update after the claim is fenced
by `lease_owner`, so a worker that lost its lease cannot overwrite the work of the one that took it over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update

from headwater.jobs.models import DEAD, QUEUED, RUNNING, SUCCEEDED, SUPERSEDED, JobRow
from headwater.store import Database
from headwater.store.models import utcnow


def _claimable(at: datetime) -> ColumnElement[bool]:
    return or_(
        and_(JobRow.status == QUEUED, JobRow.run_at <= at),
        and_(JobRow.status == RUNNING, JobRow.lease_expires_at < at, JobRow.attempts < JobRow.max_attempts),
    )


def _claim_values(owner: str, lease: float, at: datetime) -> dict[str, Any]:
    return {
        "status": RUNNING,
        "lease_owner": owner,
        "lease_expires_at": at + timedelta(seconds=lease),
        "attempts": JobRow.attempts + 1,
        "started_at": at,
        "updated_at": at,
    }


def claim_next(db: Database, owner: str, lease: float, kinds: Sequence[str]) -> JobRow | None:
    """Take the oldest due job of a kind this worker knows, or None when nothing is due."""
    at = utcnow()
    pick = (
        select(JobRow.id)
        .where(_claimable(at), JobRow.kind.in_(kinds))
        .order_by(JobRow.run_at, JobRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return _update_returning(db, JobRow.id == pick, _claim_values(owner, lease, at), at)


def claim(db: Database, job_id: int, owner: str, lease: float) -> JobRow | None:
    """Take one job by id (a broker message names it); None when it is done, running or not yet due."""
    at = utcnow()
    return _update_returning(db, JobRow.id == job_id, _claim_values(owner, lease, at), at)


def _update_returning(
    db: Database, which: ColumnElement[bool], values: dict[str, Any], at: datetime
) -> JobRow | None:
    statement = (
        update(JobRow)
        .where(which, _claimable(at))
        .values(**values)
        .returning(JobRow)
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        return session.scalars(statement).one_or_none()


def _fenced(db: Database, job_id: int, owner: str, values: dict[str, Any]) -> bool:
    values.setdefault("updated_at", utcnow())
    statement = (
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == RUNNING, JobRow.lease_owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def _unleased(**values: Any) -> dict[str, Any]:
    return {"lease_owner": None, "lease_expires_at": None, **values}


def heartbeat(db: Database, job_id: int, owner: str, lease: float) -> bool:
    """Extend the lease; False when it was lost."""
    return _fenced(db, job_id, owner, {"lease_expires_at": utcnow() + timedelta(seconds=lease)})


def complete(db: Database, job_id: int, owner: str, result: dict[str, Any] | None) -> bool:
    at = utcnow()
    values = _unleased(status=SUCCEEDED, result=result, finished_at=at, last_error=None)
    return _fenced(db, job_id, owner, values)


def retry_later(db: Database, job_id: int, owner: str, error: str, delay: float, *, counts: bool) -> bool:
    """Back to the queue at now + delay; an attempt that does not count is given back."""
    values = _unleased(
        status=QUEUED,
        run_at=utcnow() + timedelta(seconds=delay),
        dispatched_at=None,
        last_error=error,
    )
    if not counts:
        values["attempts"] = JobRow.attempts - 1
    return _fenced(db, job_id, owner, values)


def bury(db: Database, job_id: int, owner: str, error: str) -> bool:
    """Dead: no retry will help; a person has to look (`headwater jobs show/retry`)."""
    return _fenced(db, job_id, owner, _unleased(status=DEAD, last_error=error, finished_at=utcnow()))


def release(db: Database, job_id: int, owner: str, reason: str) -> bool:
    """Hand the job back untouched (the worker is stopping); the attempt is not counted."""
    return retry_later(db, job_id, owner, reason, 0.0, counts=False)


def supersede(db: Database, job_ids: Sequence[int], note: str) -> int:
    """Dead jobs whose work another job has since finished: no longer an alarm. `last_error` keeps what
    they died of; `note` (in the result) says who finished the work."""
    if not job_ids:
        return 0
    at = utcnow()
    statement = (
        update(JobRow)
        .where(JobRow.id.in_(job_ids), JobRow.status == DEAD)
        .values(status=SUPERSEDED, result={"superseded": note}, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def bury_exhausted(db: Database) -> int:
    """Jobs whose worker died on every attempt would otherwise be claimed for ever: make them dead."""
    at = utcnow()
    statement = (
        update(JobRow)
        .where(
            JobRow.status == RUNNING,
            JobRow.lease_expires_at < at,
            JobRow.attempts >= JobRow.max_attempts,
        )
        .values(
            **_unleased(
                status=DEAD,
                finished_at=at,
                updated_at=at,
                last_error="The worker running it stopped without finishing on every attempt "
                "(its lease ran out); the job may be crashing its worker.",
            )
        )
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def requeue_expired(db: Database) -> list[int]:
    """Celery mode: running jobs whose worker vanished go back to the queue to be dispatched again."""
    at = utcnow()
    statement = (
        update(JobRow)
        .where(JobRow.status == RUNNING, JobRow.lease_expires_at < at, JobRow.attempts < JobRow.max_attempts)
        .values(**_unleased(status=QUEUED, dispatched_at=None, updated_at=at))
        .returning(JobRow.id)
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        return list(session.scalars(statement))
