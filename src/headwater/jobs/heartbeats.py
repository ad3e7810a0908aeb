"""Heartbeats: every process that runs jobs or periodic work says, in the store, that it is alive.

Queued work only moves while some process claims it, and nothing else shows whether one does: a row per
process (`HeartbeatRow`), renewed every `HEADWATER_JOBS_HEARTBEAT_SECONDS`, lets `headwater status`, `dsr
list` and the dashboard tell "a worker will pick this up" from "nothing is running". A process that
stops cleanly removes its row; one that dies simply falls silent, and is counted gone once it has missed
three beats. Rows silent for a week are pruned, so the table stays as small as the fleet.

A heartbeat is best effort: failing to write one is logged and never stops the work it describes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from headwater.jobs.models import HeartbeatRow
from headwater.jobs.outcomes import describe
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.store.sql import insert_ignoring_conflict

log = logging.getLogger(__name__)
#: a process that missed this many beats is counted gone
MISSED_BEATS = 3
PRUNE_AFTER = timedelta(days=7)


def beat(db: Database, process: str, role: str, *, runs_jobs: bool = True) -> None:
    """Record that `process` is alive now (creating its row on the first beat)."""
    at = utcnow()
    with db.session() as session:
        renewed = session.execute(
            update(HeartbeatRow)
            .where(HeartbeatRow.process == process)
            .values(beat_at=at)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not renewed:
            values = {
                "process": process,
                "role": role,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "runs_jobs": runs_jobs,
                "started_at": at,
                "beat_at": at,
            }
            insert_ignoring_conflict(session, HeartbeatRow.__table__, values, "process")  # type: ignore[arg-type]
            session.execute(delete(HeartbeatRow).where(HeartbeatRow.beat_at < at - PRUNE_AFTER))


def forget(db: Database, process: str) -> None:
    """A clean stop: the process is gone now, not after three missed beats."""
    with db.session() as session:
        session.execute(delete(HeartbeatRow).where(HeartbeatRow.process == process))


def alive_since(interval: float, at: datetime | None = None) -> datetime:
    """The oldest beat that still counts as alive."""
    return (at or utcnow()) - timedelta(seconds=MISSED_BEATS * interval)


def recent(db: Database) -> list[HeartbeatRow]:
    """Every process heard from in the last week, most recent beat first."""
    with db.session() as session:
        return list(session.scalars(select(HeartbeatRow).order_by(HeartbeatRow.beat_at.desc())))


class Pulse:
    """Beats for one process from a daemon thread until stopped; `stop()` removes the row."""

    def __init__(
        self, db: Database, process: str, role: str, interval: float, *, runs_jobs: bool = True
    ) -> None:
        self.db, self.process, self.role, self.interval = db, process, role, interval
        self.runs_jobs = runs_jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{role}", daemon=True)

    def start(self) -> Pulse:
        self._beat()  # at once: a process that just started is alive
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        try:
            forget(self.db, self.process)
        except Exception as exc:
            log.warning("could not remove this process's heartbeat (%s); it goes stale", describe(exc))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._beat()

    def _beat(self) -> None:
        try:
            beat(self.db, self.process, self.role, runs_jobs=self.runs_jobs)
        except Exception as exc:
            log.warning("could not write this process's heartbeat (%s)", describe(exc))
