"""How long Headwater keeps what privacy requests leave behind, and the hourly job that holds it to that.

- **Suppression** (`sync.suppression`): a person is dropped by every sync of a connection until that
  connection's provider confirms their deletion, then for `HEADWATER_PRIVACY_SUPPRESS_DAYS` more
  (default 90), because bundles produced before the deletion may still hold them. A cancelled request
  whose deletion never reached the provider stops suppressing at once; a failed one keeps suppressing
  until it is retried and done (the deletion is still owed).
- **Collected copies** (`dsr_export_chunks`): deleted `HEADWATER_PRIVACY_COPY_RETENTION_DAYS` (default
  30) after the copy request closes; the audit trail says so, and `dsr package` afterwards says the
  data is gone and how to collect it again (`purged`).
- **Download leftovers**: a web download writes its package to a private `package-*` folder in
  `HEADWATER_HOME` and deletes it once sent; a folder a killed process left behind goes after a day.

Each rule is a function of `now`, so tests move the clock instead of waiting.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from headwater.errors import ConfigError
from headwater.jobs.context import TaskContext
from headwater.jobs.recurring import periodic
from headwater.privacy import states, tracking
from headwater.privacy.models import ExportChunkRow, TaskRow, TicketRow
from headwater.privacy.replica_models import REPLICA
from headwater.store import Database, audit
from headwater.store.models import utcnow
from headwater.sync import suppression

RETENTION_KIND = "privacy.retention"
RETENTION_SECONDS = 3600
PURGED = "copy_purged"
DOWNLOAD_LEFTOVER_AGE = timedelta(days=1)


class RetentionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEADWATER_PRIVACY_", env_file=".env", extra="ignore")

    suppress_days: float = Field(
        default=90.0,
        ge=0,
        description="Days a deleted person is still dropped by syncs after the provider confirmed",
    )
    copy_retention_days: float = Field(
        default=30.0, ge=0, description="Days the data collected for a copy request is kept after it closes"
    )


def load_retention_settings(**overrides: Any) -> RetentionSettings:
    """Like `config.load_settings`: a malformed value is a `ConfigError` (exit 2), never a traceback."""
    try:
        return RetentionSettings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"HEADWATER_PRIVACY_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        raise ConfigError(f"Invalid privacy settings: {problems}") from None


@periodic(RETENTION_KIND, seconds=RETENTION_SECONDS)
def enforce(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    return run(ctx.db, load_retention_settings(), utcnow(), home=ctx.settings.home)


def run(
    db: Database, settings: RetentionSettings, now: datetime, *, home: Path | None = None
) -> dict[str, Any]:
    """Every rule of the module docstring, once; what each did."""
    ended, expired = settle_suppression(db, settings, now)
    return {
        "suppression_ended": ended,
        "suppression_expired": expired,
        "copies_purged": purge_copies(db, settings, now),
        "downloads_removed": sweep_downloads(home, now) if home is not None else 0,
    }


def settle_suppression(db: Database, settings: RetentionSettings, now: datetime) -> tuple[int, int]:
    """Give open-ended suppression an end once its deletion is confirmed (or will never be asked for),
    and forget entries whose end has passed; (entries given an end, entries forgotten)."""
    grace = timedelta(days=settings.suppress_days)
    ended = 0
    with db.session() as session:
        for request, connection in suppression.open_requests(session):
            until = _suppression_end(session, request, connection, grace, now)
            if until is not None:
                ended += suppression.end(session, request=request, connection=connection, until=until)
        expired = suppression.purge_expired(session, now)
    return ended, expired


def _suppression_end(
    session: Session, request: str, connection: str, grace: timedelta, now: datetime
) -> datetime | None:
    ticket = session.get(TicketRow, request)
    if ticket is None:
        return now
    task = session.scalars(
        select(TaskRow).where(
            TaskRow.ticket_id == ticket.id, TaskRow.connection == connection, TaskRow.provider != REPLICA
        )
    ).first()
    if task is not None and task.status == states.COMPLETED:
        return (task.finished_at or now) + grace
    if ticket.status == states.CANCELLED:
        requested = task is not None and task.batch_id is not None
        return (ticket.closed_at or now) + grace if requested else now
    return None


def purge_copies(db: Database, settings: RetentionSettings, now: datetime) -> int:
    """Delete the collected data of copy requests closed longer ago than the retention; how many
    requests lost theirs. Each purge is in the request's audit trail."""
    cutoff = now - timedelta(days=settings.copy_retention_days)
    query = (
        select(TicketRow.id, func.count(ExportChunkRow.id), func.coalesce(func.sum(ExportChunkRow.items), 0))
        .join(TaskRow, TaskRow.ticket_id == TicketRow.id)
        .join(ExportChunkRow, ExportChunkRow.task_id == TaskRow.id)
        .where(TicketRow.kind == "copy", TicketRow.closed_at.is_not(None), TicketRow.closed_at <= cutoff)
        .group_by(TicketRow.id)
    )
    purged = 0
    with db.session() as session:
        found = list(session.execute(query).tuples())
    for ticket_id, chunks, items in found:
        with db.session() as session:
            ticket = tracking.get_ticket(session, ticket_id, lock=True)
            if ticket.closed_at is None or ticket.closed_at > cutoff:
                continue  # reopened meanwhile
            task_ids = select(TaskRow.id).where(TaskRow.ticket_id == ticket.id)
            session.execute(
                delete(ExportChunkRow)
                .where(ExportChunkRow.task_id.in_(task_ids))
                .execution_options(synchronize_session=False)
            )
            days = f"{settings.copy_retention_days:g}"
            tracking.record(
                session,
                ticket.id,
                tracking.WORKER,
                PURGED,
                f"The data collected for this copy request ({items} records) was deleted, {days} days after "
                "the request closed.",
                records=int(items),
                chunks=int(chunks),
                closed_at=ticket.closed_at.isoformat(),
                retention_days=settings.copy_retention_days,
            )
            purged += 1
    return purged


def purged(session: Session, ticket_id: str) -> datetime | None:
    """When the ticket's collected data was deleted by `purge_copies`; None if it was not."""
    for entry in audit.trail(session, tracking.SUBJECT, ticket_id):
        if entry.action == f"dsr.{PURGED}":
            return entry.at
    return None


def sweep_downloads(home: Path, now: datetime) -> int:
    """Remove `package-*` folders a download left behind (see the module docstring)."""
    removed = 0
    cutoff = (now - DOWNLOAD_LEFTOVER_AGE).timestamp()
    for folder in home.glob("package-*") if home.is_dir() else ():
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
