"""Loading reports and extraction logs in the store: written while a run goes, read by `sync history`.

A run's row is created when it starts and updated after every batch, so a run that is killed still
shows how far it got. While it runs, its process renews a lease on the row (`keep_alive`); a process
stopped on purpose marks its run `interrupted` on the way out, and one that is killed outright simply
stops renewing. A `running` row whose lease ran out therefore belongs to a process that is gone: it is
shown as `interrupted` at once, and recorded so by the next run of that connection or by the sweeper
(`sweep_abandoned`, every minute). Every provider call is added to the log as it is made, with the URL
already redacted by the HTTP layer.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update

from headwater.errors import NotFound
from headwater.http import CallRecord
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.sync.models import FAILED, INTERRUPTED, RUNNING, SUCCEEDED, SyncCallRow, SyncRunRow
from headwater.sync.providers import batch_unit

log = logging.getLogger(__name__)
MAX_BATCHES_KEPT = 1000
ABANDONED = "The process running it stopped before it finished (it no longer renewed its lease)."


def _abandoned(at: datetime) -> ColumnElement[bool]:
    """Running, but its process is gone: its lease ran out (or it never had one: a run from before)."""
    lease_over = or_(SyncRunRow.lease_until.is_(None), SyncRunRow.lease_until < at)
    return and_(SyncRunRow.status == RUNNING, lease_over)


def sweep_abandoned(db: Database) -> int:
    """Record every run whose process is gone as `interrupted`; returns how many."""
    at = utcnow()
    with db.session() as session:
        statement = (
            update(SyncRunRow)
            .where(_abandoned(at))
            .values(status=INTERRUPTED, error=ABANDONED, finished_at=at, owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


@dataclass
class RunLog:
    """The report of one run, kept in step with its row in the store."""

    db: Database
    run_id: int
    connection: str
    started: datetime
    lease_seconds: float = 60.0
    rows: int = 0
    batches: int = 0
    suppressed: int = 0  # rows of people whose deletion is pending, dropped at load time
    tables: dict[str, int] = field(default_factory=dict)
    loaded: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        db: Database,
        *,
        connection: str,
        kind: str,
        destination: str,
        full_refresh: bool,
        lease_seconds: float = 60.0,
    ) -> RunLog:
        """The run's row, taking over from the connection's earlier runs that are not running any more:
        one into the same destination cannot be (this run holds the destination's lock), and one into
        another whose lease ran out has lost its process."""
        at = utcnow()
        with db.session() as session:
            session.execute(
                update(SyncRunRow)
                .where(SyncRunRow.connection == connection, SyncRunRow.status == RUNNING)
                .where(or_(SyncRunRow.destination == destination, _abandoned(at)))
                .values(status=INTERRUPTED, error="The run stopped before it finished.", lease_until=None)
            )
            row = SyncRunRow(
                connection=connection,
                kind=kind,
                destination=destination,
                status=RUNNING,
                full_refresh=full_refresh,
                started_at=at,
                tables={},
                details={},
                owner=f"{socket.gethostname()}:{os.getpid()}",
                lease_until=at + timedelta(seconds=lease_seconds),
            )
            session.add(row)
            session.flush()
            return cls(db, row.id, connection, row.started_at, lease_seconds)

    @contextmanager
    def keep_alive(self) -> Iterator[None]:
        """Renew the run's lease from a thread while the block runs: a long download is not a death."""
        done = threading.Event()

        def renew() -> None:
            while not done.wait(self.lease_seconds / 3):
                try:
                    self._renew()
                except Exception as exc:  # the next renewal, or the next batch's save, tries again
                    log.warning(
                        "sync run %s: could not renew its lease (%s)", self.run_id, type(exc).__name__
                    )

        thread = threading.Thread(target=renew, name=f"sync-lease-{self.run_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=5)

    def _renew(self) -> None:
        until = utcnow() + timedelta(seconds=self.lease_seconds)
        with self.db.session() as session:
            session.execute(
                update(SyncRunRow)
                .where(SyncRunRow.id == self.run_id, SyncRunRow.status == RUNNING)
                .values(lease_until=until)
                .execution_options(synchronize_session=False)
            )

    def observe(self, record: CallRecord) -> None:
        """An `http.Observer`: one extraction-log row per call, as it happens."""
        with self.db.session() as session:
            session.add(
                SyncCallRow(
                    run_id=self.run_id,
                    at=utcnow(),
                    method=record.method,
                    url=record.url[:2000],
                    status=record.status,
                    elapsed_ms=round(record.elapsed_ms, 1),
                    attempt=record.attempt,
                    error=record.error,
                )
            )

    def batch_loaded(
        self,
        key: str,
        rows: int,
        size_bytes: int,
        seconds: float,
        stream: str,
        *,
        count: int = 1,
        suppressed: int = 0,
    ) -> None:
        """`count` source batches (bundles, hours) were committed together under `key`; `suppressed`
        rows of them were dropped (see `sync.suppression`)."""
        self.rows += rows
        self.suppressed += suppressed
        self.batches += count
        self.tables[stream] = self.tables.get(stream, 0) + rows
        if len(self.loaded) < MAX_BATCHES_KEPT:
            self.loaded.append(
                {"batch": key, "rows": rows, "bytes": size_bytes, "seconds": round(seconds, 3)}
                | ({"suppressed": suppressed} if suppressed else {})
            )
        self._save(status=RUNNING)

    def finish(self, *, before: str | None, after: str | None, totals: dict[str, int]) -> dict[str, Any]:
        return self._save(status=SUCCEEDED, before=before, after=after, totals=totals, done=True)

    def fail(
        self, error: str, *, before: str | None, after: str | None, status: str = FAILED
    ) -> dict[str, Any]:
        return self._save(status=status, before=before, after=after, error=error, done=True)

    def _save(
        self,
        *,
        status: str,
        before: str | None = None,
        after: str | None = None,
        totals: dict[str, int] | None = None,
        error: str | None = None,
        done: bool = False,
    ) -> dict[str, Any]:
        now = utcnow()
        with self.db.session() as session:
            row = session.get(SyncRunRow, self.run_id)
            assert row is not None
            row.status = status
            row.rows, row.batches, row.tables = self.rows, self.batches, dict(self.tables)
            row.duration_s = round((now - self.started).total_seconds(), 3)
            details: dict[str, Any] = {"loaded": list(self.loaded), "suppressed": self.suppressed}
            if totals is not None:
                details["table_totals"] = totals
            row.details = details
            row.lease_until = None if done else now + timedelta(seconds=self.lease_seconds)
            if done:
                row.finished_at, row.error = now, error
                row.bookmark_before, row.bookmark_after = before, after
            session.flush()
            return run_as_dict(row)


def run_as_dict(row: SyncRunRow) -> dict[str, Any]:
    """A run as every face shows it; a running row whose process is gone already shows `interrupted`."""
    duration = row.duration_s or 0.0
    gone = row.status == RUNNING and (row.lease_until is None or row.lease_until < utcnow())
    return {
        "id": row.id,
        "connection": row.connection,
        "kind": row.kind,
        "destination": row.destination,
        "status": INTERRUPTED if gone else row.status,
        "full_refresh": row.full_refresh,
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "duration_s": duration,
        "batches": row.batches,
        "batch_unit": batch_unit(row.kind),
        "rows": row.rows,
        "rows_per_second": round(row.rows / duration, 1) if duration > 0 else None,
        "suppressed": int((row.details or {}).get("suppressed", 0)),
        "tables": dict(row.tables or {}),
        "bookmark_before": row.bookmark_before,
        "bookmark_after": row.bookmark_after,
        "details": dict(row.details or {}),
        "error": ABANDONED if gone else row.error,
    }


def runs(db: Database, connection: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """The connection's runs, newest first."""
    with db.session() as session:
        query = (
            select(SyncRunRow)
            .where(SyncRunRow.connection == connection)
            .order_by(SyncRunRow.id.desc())
            .limit(limit)
        )
        return [run_as_dict(row) for row in session.scalars(query)]


def calls(db: Database, connection: str, run_id: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    """The extraction log of one run (default: the latest) as (run id, calls in order)."""
    with db.session() as session:
        query = select(SyncRunRow.id).where(SyncRunRow.connection == connection)
        if run_id is not None:
            query = query.where(SyncRunRow.id == run_id)
        chosen = session.scalars(query.order_by(SyncRunRow.id.desc()).limit(1)).first()
        if chosen is None:
            raise NotFound(
                f"No sync run {'#' + str(run_id) + ' ' if run_id else ''}for connection {connection!r}.",
                hint=f"Run `headwater sync {connection}` first; see `headwater sync history {connection}`.",
            )
        rows = session.scalars(
            select(SyncCallRow).where(SyncCallRow.run_id == chosen).order_by(SyncCallRow.id)
        )
        return chosen, [
            {
                "at": row.at.isoformat(),
                "method": row.method,
                "url": row.url,
                "status": row.status,
                "elapsed_ms": row.elapsed_ms,
                "attempt": row.attempt,
                "error": row.error,
            }
            for row in rows
        ]


def last_destination(db: Database, connection: str) -> str | None:
    """The destination of the connection's latest successful run, as stored (masked)."""
    with db.session() as session:
        query = (
            select(SyncRunRow.destination)
            .where(SyncRunRow.connection == connection, SyncRunRow.status == SUCCEEDED)
            .order_by(SyncRunRow.id.desc())
            .limit(1)
        )
        return session.scalars(query).first()
