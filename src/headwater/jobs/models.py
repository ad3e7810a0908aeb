"""Tables of the job system: jobs, effect records, lock leases, periodic ticks and process heartbeats.

The store is the source of truth: a broker message only says "look at job N", so everything a worker
needs to decide what is done lives in these rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from headwater.store.models import Base, UtcDateTime, utcnow

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
DEAD = "dead"
#: was dead, but another job has since finished its work (`result["superseded"]` says which): no person
#: needs to act, and it is purged like a succeeded job
SUPERSEDED = "superseded"
STATUSES = (QUEUED, RUNNING, SUCCEEDED, DEAD, SUPERSEDED)

EFFECT_PENDING = "pending"  # the call may have been made; its outcome is unknown
EFFECT_DONE = "done"  # the call succeeded and its result is recorded
EFFECT_FAILED = "failed"  # the call was refused, so it is known not to have happened


class JobRow(Base):
    """One unit of work; committed before anything is dispatched."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_at", "status", "run_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class EffectRow(Base):
    """What a destructive provider call was about to do (before) and what it did (after), by key."""

    __tablename__ = "job_effects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default=EFFECT_PENDING)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    intent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LockRow(Base):
    """A named lease held by one process at a time (the ticker's leadership)."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TickRow(Base):
    """When a periodic task last fired and when it fires next."""

    __tablename__ = "job_ticks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_tick_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    next_tick_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HeartbeatRow(Base):
    """A process that runs jobs or periodic work, and when it last said it was alive (`heartbeats`)."""

    __tablename__ = "job_heartbeats"

    process: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid:token
    role: Mapped[str] = mapped_column(String(20))  # worker | serve | ticker | celery
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    runs_jobs: Mapped[bool] = mapped_column(Boolean, default=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
