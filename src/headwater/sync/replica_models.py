"""Tables of Headwater's own copies of events: every replica a sync has written, and the keyed hashes of
people whose rows no sync may load while their deletion is pending.

A replica's location is stored encrypted (a PostgreSQL URL may hold a password) and shown masked. The
suppression list holds HMAC-SHA256 digests only, under a key kept in the vault: it is not itself a list
of the people who asked to be forgotten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from headwater.store.models import Base, UtcDateTime, utcnow


class ReplicaRow(Base):
    """A destination a sync loaded a connection's events into: a DuckDB file, or a PostgreSQL schema."""

    __tablename__ = "sync_replicas"
    __table_args__ = (UniqueConstraint("connection", "display", name="uq_sync_replicas_place"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # the connection's provider kind
    target_kind: Mapped[str] = mapped_column(String(16))  # duckdb | postgresql
    schema: Mapped[str] = mapped_column(String(100))
    display: Mapped[str] = mapped_column(String(1000))  # masked: never a password
    location: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token of the path or URL
    first_loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SuppressionRow(Base):
    """One identity value of one person, as a keyed hash, that syncs of a connection drop at load time.

    `until` is empty while the deletion it stands for is pending, then set to when suppression ends.
    """

    __tablename__ = "sync_suppressions"
    __table_args__ = (
        UniqueConstraint("connection", "field", "digest", "request", name="uq_sync_suppressions_entry"),
        Index("ix_sync_suppressions_connection_until", "connection", "until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(40))  # email, fullstory_uid, amplitude_id ...
    digest: Mapped[str] = mapped_column(String(64))  # hex HMAC-SHA256 of "field:value"
    request: Mapped[str] = mapped_column(String(40), index=True)  # what asked for it: a ticket id
    until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SuppressionKeyRow(Base):
    """Names the vault secret the suppression digests are keyed with, so every process finds it."""

    __tablename__ = "sync_suppression_keys"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    secret_ref: Mapped[str] = mapped_column(ForeignKey("secrets.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
