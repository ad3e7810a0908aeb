"""Whether queued work is moving: the live workers and scheduler, how many jobs are due, and the oldest.

A privacy request has a legal deadline, so "queued" must never silently mean "nothing will run it".
`check()` reads the heartbeats (`heartbeats`), the ticker's lease and the job table, and says *stalled*
when due work has waited longer than `HEADWATER_JOBS_STALL_SECONDS` with no live worker to claim it.
`headwater status`, `headwater dsr list` and the dashboard all show this one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from headwater.jobs import heartbeats
from headwater.jobs.models import DEAD, QUEUED, RUNNING, HeartbeatRow, JobRow, LockRow
from headwater.jobs.queue import JobQueue
from headwater.jobs.settings import JobSettings
from headwater.jobs.ticker import LOCK_NAME
from headwater.store import Database
from headwater.store.models import utcnow

START_A_WORKER = {
    "embedded": "start `headwater worker` (or `headwater serve`), or run `headwater worker --once`",
    "celery": "start `headwater worker` with HEADWATER_BROKER_URL set",
}


@dataclass(frozen=True)
class Process:
    """One process heard from: alive, or gone since its last beat."""

    process: str
    role: str
    host: str
    pid: int
    runs_jobs: bool
    started_at: datetime
    beat_at: datetime
    alive: bool

    @classmethod
    def of(cls, row: HeartbeatRow, since: datetime) -> Process:
        fields = (row.process, row.role, row.host, row.pid, row.runs_jobs, row.started_at, row.beat_at)
        return cls(*fields, alive=row.beat_at >= since)

    def as_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "role": self.role,
            "host": self.host,
            "pid": self.pid,
            "runs_jobs": self.runs_jobs,
            "started_at": self.started_at,
            "beat_at": self.beat_at,
            "alive": self.alive,
        }


@dataclass(frozen=True)
class JobsHealth:
    mode: str  # "embedded" | "celery"
    checked_at: datetime
    processes: list[Process]  # heard from in the last week, most recent first
    scheduler: str | None  # who holds the ticker's lease, if anyone does now
    due: int  # queued jobs whose time has come
    oldest_due_at: datetime | None
    running: int
    dead: int
    stall_seconds: float

    @property
    def workers(self) -> list[Process]:
        """Live processes that run jobs."""
        return [p for p in self.processes if p.alive and p.runs_jobs]

    @property
    def waited_seconds(self) -> float:
        if self.oldest_due_at is None:
            return 0.0
        return max(0.0, (self.checked_at - self.oldest_due_at).total_seconds())

    @property
    def stalled(self) -> bool:
        """Due work has waited too long and no live worker will claim it."""
        return self.due > 0 and not self.workers and self.waited_seconds >= self.stall_seconds

    @property
    def warning(self) -> str | None:
        """One sentence for a person, or None while work is moving."""
        if not self.stalled:
            return None
        seen = next((p for p in self.processes if p.runs_jobs), None)
        last = ""
        if seen is not None:
            last = f" (the last one, {seen.process}, was seen {ago(self.checked_at, seen.beat_at)})"
        return (
            f"{self.due} job(s) due, the oldest waiting {duration(self.waited_seconds)}, and no worker is "
            f"running{last}: {START_A_WORKER.get(self.mode, START_A_WORKER['embedded'])}."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "checked_at": self.checked_at,
            "workers_alive": len(self.workers),
            "scheduler": self.scheduler,
            "processes": [p.as_dict() for p in self.processes],
            "jobs": {
                "due": self.due,
                "oldest_due_at": self.oldest_due_at,
                "oldest_waited_seconds": round(self.waited_seconds, 1),
                "running": self.running,
                "dead": self.dead,
            },
            "stalled": self.stalled,
            "warning": self.warning,
        }


def of_queue(queue: JobQueue) -> JobsHealth:
    return check(queue.db, queue.job_settings, queue.mode)


def check(db: Database, job_settings: JobSettings, mode: str) -> JobsHealth:
    """Read the store once and say whether work is moving."""
    at = utcnow()
    since = heartbeats.alive_since(job_settings.heartbeat_seconds, at)
    processes = [Process.of(row, since) for row in heartbeats.recent(db)]
    with db.session() as session:
        due, oldest = session.execute(
            select(func.count(), func.min(JobRow.run_at)).where(JobRow.status == QUEUED, JobRow.run_at <= at)
        ).one()
        by_status = dict(
            session.execute(
                select(JobRow.status, func.count())
                .where(JobRow.status.in_((RUNNING, DEAD)))
                .group_by(JobRow.status)
            )
            .tuples()
            .all()
        )
        lease = session.get(LockRow, LOCK_NAME)
        scheduler = lease.owner if lease is not None and lease.expires_at >= at else None
    return JobsHealth(
        mode=mode,
        checked_at=at,
        processes=processes,
        scheduler=scheduler,
        due=int(due or 0),
        oldest_due_at=_aware(oldest),
        running=int(by_status.get(RUNNING, 0)),
        dead=int(by_status.get(DEAD, 0)),
        stall_seconds=job_settings.stall_seconds,
    )


def _aware(value: datetime | None) -> datetime | None:
    """A naive value from an aggregate is UTC, as everything the store records."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def duration(seconds: float) -> str:
    """A span as a person says it: 40 s, 12 min, 3 h, 2 days."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def ago(now: datetime, then: datetime) -> str:
    return f"{duration((now - then).total_seconds())} ago"
