"""Tables of privacy requests: tickets, their per-connection tasks, provider jobs, delete batches and the
encrypted data collected for access packages.

A ticket is what a privacy officer handles; a task is the ticket's work in one connection; a provider job
is what a provider runs for us (an Amplitude deletion job covers many tasks, so tasks and jobs are linked
many-to-many); a batch is one destructive call made for several tasks at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, Integer, LargeBinary, String, Text, exists
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from headwater.privacy import states
from headwater.store.models import Base, UtcDateTime, utcnow

#: Crockford's base32 without I, L, O, U: nothing to misread when a ticket id is read out or typed
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_PREFIX = "DSR-"


def new_ticket_id() -> str:
    """Short and readable in a terminal, e.g. ``DSR-7K3QX2`` (about a billion possibilities)."""
    return ID_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))


def normalise_ticket_id(text: str) -> str:
    """Accept ``dsr-7k3qx2`` or ``7K3QX2`` as typed by a person."""
    value = text.strip().upper()
    return value if value.startswith(ID_PREFIX) else ID_PREFIX + value


class TicketRow(Base):
    __tablename__ = "dsr_tickets"
    __table_args__ = (Index("ix_dsr_tickets_status_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # delete | copy
    email: Mapped[str] = mapped_column(String(320), index=True)
    identifiers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # other Subject fields
    regulation: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TaskRow(Base):
    __tablename__ = "dsr_tasks"
    __table_args__ = (Index("ix_dsr_tasks_lane", "connection", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("dsr_tickets.id"), index=True)
    connection: Mapped[str] = mapped_column(String(100))
    provider: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer, default=0)  # bumped by retry / set-identity
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    identities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    records: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @hybrid_property
    def fresh(self) -> bool:
        """Pending and never tried (see `states`); also a query condition, e.g. `.where(TaskRow.fresh)`."""
        return (self.status == states.PENDING) & (self.attempts == 0)


def needs_attention() -> ColumnElement[bool]:
    """`states.needs_attention` as a query condition on tickets: an EXISTS over the ticket's tasks (found
    by the tasks' ticket_id index), so the flag is derived, never stored, and cannot go stale."""
    return exists().where(TaskRow.ticket_id == TicketRow.id, TaskRow.status.in_(states.ATTENTION))


class ProviderJobRow(Base):
    """A provider-side job we follow until the provider says it is done."""

    __tablename__ = "dsr_provider_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # a `states.ProviderJobStatus`
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TaskJobRow(Base):
    __tablename__ = "dsr_task_provider_jobs"

    task_id: Mapped[int] = mapped_column(ForeignKey("dsr_tasks.id"), primary_key=True)
    provider_job_id: Mapped[int] = mapped_column(ForeignKey("dsr_provider_jobs.id"), primary_key=True)


class BatchRow(Base):
    """One destructive call for several tasks; committed before the call, so a crash can be resumed."""

    __tablename__ = "dsr_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(16))  # a `states.BatchStatus`
    task_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LaneRow(Base):
    """Per connection: who runs its delete batcher now, and the batcher generation (see `batching`)."""

    __tablename__ = "dsr_lanes"

    connection: Mapped[str] = mapped_column(String(100), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    next_call_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ExportChunkRow(Base):
    """Part of what a provider holds about a person, encrypted with the master key until packaged."""

    __tablename__ = "dsr_export_chunks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("dsr_tasks.id"), index=True)
    section: Mapped[str] = mapped_column(String(20))  # profile | sessions | events
    seq: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
