"""Effect records: idempotency for destructive provider calls.

A job can run more than once (its worker died, its broker message came twice), but a deletion must reach
the provider once. Before calling, `once()` commits an intent row (status `pending`, `calls` + 1); after
the call it records the result (`done`). A later run of the same effect key then

- finds `done`: returns the recorded result without calling;
- finds `failed` (the provider refused the call, so it did not happen): calls again;
- finds `pending`: a previous call may or may not have landed, so it asks `verify()` (the provider's own
  state) and records what it says; without a `verify` it stops with `EffectUncertain` rather than guess.

Keys name the effect, not the job: e.g. ``fullstory:<connection>:delete_user:<id>``, so two jobs that want
the same deletion share one record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from headwater.errors import (
    AuthError,
    BadRequest,
    HeadwaterError,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from headwater.jobs.models import EFFECT_DONE, EFFECT_FAILED, EFFECT_PENDING, RUNNING, EffectRow, JobRow
from headwater.jobs.outcomes import LeaseLost, describe
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.store.sql import insert_ignoring_conflict

log = logging.getLogger(__name__)
Result = dict[str, Any]

#: errors after which the provider is known not to have done anything
NOT_PERFORMED: tuple[type[BaseException], ...] = (
    RateLimited,
    AuthError,
    PermissionDenied,
    BadRequest,
    NotFound,
)


class EffectUncertain(HeadwaterError):
    code = "effect_uncertain"


@dataclass(frozen=True)
class EffectOutcome:
    result: Result
    how: str  # "called" | "recorded" (done before) | "verified" (the provider says it is done)

    @property
    def performed_now(self) -> bool:
        return self.how == "called"


@dataclass(frozen=True)
class Fence:
    """The job lease the caller must still hold when it calls (None outside a job)."""

    job_id: int
    owner: str


def once(
    db: Database,
    key: str,
    call: Callable[[], Result | None],
    *,
    verify: Callable[[], Result | None] | None = None,
    intent: Result | None = None,
    fence: Fence | None = None,
    not_performed: tuple[type[BaseException], ...] = NOT_PERFORMED,
) -> EffectOutcome:
    """Run `call` at most once per `key` (see the module docstring); returns its recorded result."""
    if _first_call(db, key, intent or {}, fence):
        return _perform(db, key, call, not_performed)
    row = lookup(db, key)
    assert row is not None
    if row.status == EFFECT_DONE:
        return EffectOutcome(row.result or {}, "recorded")
    if row.status == EFFECT_PENDING and row.calls > 0:
        if verify is None:
            raise EffectUncertain(
                f"A previous attempt of {key!r} may have reached the provider, and there is no way to check.",
                hint="Check at the provider whether it happened; `headwater jobs show ID` lists the calls "
                "the job recorded.",
            )
        seen = verify()
        if seen is not None:
            _finish(db, key, EFFECT_DONE, result=seen)
            return EffectOutcome(seen, "verified")
    _start_call(db, key, row.calls, fence)
    return _perform(db, key, call, not_performed)


def _perform(
    db: Database, key: str, call: Callable[[], Result | None], not_performed: tuple[type[BaseException], ...]
) -> EffectOutcome:
    """Make the call whose intent is committed, and record how it went."""
    try:
        result = call() or {}
    except not_performed as exc:
        _finish(db, key, EFFECT_FAILED, error=describe(exc))
        raise
    except BaseException as exc:
        _note(db, key, describe(exc))  # stays pending: the call may have landed
        raise
    _finish(db, key, EFFECT_DONE, result=result)
    return EffectOutcome(result, "called")


def lookup(db: Database, key: str) -> EffectRow | None:
    with db.session() as session:
        return session.scalars(select(EffectRow).where(EffectRow.key == key)).one_or_none()


def for_job(db: Database, job_id: int) -> list[EffectRow]:
    with db.session() as session:
        query = select(EffectRow).where(EffectRow.job_id == job_id).order_by(EffectRow.id)
        return list(session.scalars(query))


def _first_call(db: Database, key: str, intent: Result, fence: Fence | None) -> bool:
    """Commit the intent of the very first call in one go; False when the key has a record already."""
    at = utcnow()
    values = {
        "key": key,
        "job_id": fence.job_id if fence else None,
        "status": EFFECT_PENDING,
        "calls": 1,
        "intent": intent,
        "created_at": at,
        "updated_at": at,
    }
    with db.session() as session:
        _check_fence(session, fence)
        return insert_ignoring_conflict(session, EffectRow.__table__, values, "key")  # type: ignore[arg-type]


def _start_call(db: Database, key: str, seen_calls: int, fence: Fence | None) -> None:
    """Commit the intent of another call; fails if another run got there first or the lease is gone."""
    with db.session() as session:
        _check_fence(session, fence)
        updated = session.execute(
            update(EffectRow)
            .where(EffectRow.key == key, EffectRow.calls == seen_calls, EffectRow.status != EFFECT_DONE)
            .values(status=EFFECT_PENDING, calls=seen_calls + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not updated:
            raise LeaseLost(f"another run is performing {key!r}")


def _check_fence(session: Session, fence: Fence | None) -> None:
    if fence is None:
        return
    owned = session.scalar(
        select(JobRow.id).where(
            JobRow.id == fence.job_id, JobRow.status == RUNNING, JobRow.lease_owner == fence.owner
        )
    )
    if owned is None:
        raise LeaseLost(f"job {fence.job_id} is no longer leased to this worker")


def _finish(db: Database, key: str, status: str, *, result: Result | None = None, error: str = "") -> None:
    at = utcnow()
    values: dict[str, Any] = {"status": status, "updated_at": at, "error": error or None}
    if status == EFFECT_DONE:
        values.update(result=result, done_at=at)
    with db.session() as session:
        session.execute(update(EffectRow).where(EffectRow.key == key).values(**values))


def _note(db: Database, key: str, error: str) -> None:
    """Best effort: the error being handled matters more than a note about it."""
    try:
        with db.session() as session:
            values = {"error": error, "updated_at": utcnow()}
            session.execute(update(EffectRow).where(EffectRow.key == key).values(**values))
    except Exception:
        log.warning("could not note the failure of effect %r", key, exc_info=True)
