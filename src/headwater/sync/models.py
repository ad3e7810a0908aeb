"""Tables of the built-in sync: one row per run (the loading report) and one per API call (the log).

Bookmarks are not here: they live in the destination, next to the rows they describe, so that a load
and its bookmark commit in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from headwater.store.models import Base, utcnow

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
INTERRUPTED = "interrupted"


class Utc(TypeDecorator[datetime]):
    """SQLite keeps no offset: store UTC and hand back aware datetimes on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SyncRunRow(Base):
    """The loading report of one `headwater sync` run, written as it goes."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    destination: Mapped[str] = mapped_column(String(1000))  # masked: never a password
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)
    full_refresh: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(Utc(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(Utc(), nullable=True)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    batches: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    tables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bookmark_before: Mapped[str | None] = mapped_column(String(100), nullable=True)
    bookmark_after: Mapped[str | None] = mapped_column(String(100), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the process running it (host:pid), and until when it is known to be alive: it renews this while
    #: it runs, so a running row whose lease ran out belongs to a process that is gone (`history`)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(Utc(), nullable=True)


class SyncCallRow(Base):
    """One provider call made by a run: the extraction log. URLs are redacted; no header, no body."""

    __tablename__ = "sync_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(Utc(), default=utcnow)
    method: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class SyncDestinationRow(Base):
    """A named place a sync may load into, defined by an admin (`headwater destinations add`).

    The web names destinations and never gives a URL, so only an admin decides which databases and files
    the server writes to. `location` holds no password: that is a vault secret, `secret_ref`.
    """

    __tablename__ = "sync_destinations"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "duckdb" or "postgresql"
    location: Mapped[str] = mapped_column(String(1000))  # duckdb:///abs/path or a URL without password
    secret_ref: Mapped[str | None] = mapped_column(ForeignKey("secrets.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Utc(), default=utcnow)
