"""Tables of discovery: the latest scan per connection, its fields, Preview mode and encrypted samples.

Every row hangs off a connection with ON DELETE CASCADE, so removing a connection removes what was
learnt about its data, samples included. Sample values exist only as Fernet tokens (`ciphertext`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from headwater.store.models import Base, utcnow

_CONNECTION = "connections.id"
_SCAN = "discovery_scans.id"


class DiscoveryScanRow(Base):
    __tablename__ = "discovery_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey(_CONNECTION, ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(1000))
    events_scanned: Mapped[int] = mapped_column(Integer)
    sample_size: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[float] = mapped_column(Float)
    since: Mapped[date | None] = mapped_column(Date, nullable=True)
    data_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)


class DiscoveryFieldRow(Base):
    __tablename__ = "discovery_fields"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey(_SCAN, ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(1000))
    values_sampled: Mapped[int] = mapped_column(Integer)
    types: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class DiscoveryPreferenceRow(Base):
    """Per connection: whether scans keep encrypted sample values (Preview mode)."""

    __tablename__ = "discovery_preferences"

    connection_id: Mapped[int] = mapped_column(ForeignKey(_CONNECTION, ondelete="CASCADE"), primary_key=True)
    preview_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PreviewSampleRow(Base):
    """One sample value of one finding, encrypted, deleted by the purge once `expires_at` has passed."""

    __tablename__ = "discovery_previews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey(_SCAN, ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey(_CONNECTION, ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(1000))
    pii_type: Mapped[str] = mapped_column(String(40))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    taken_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"PreviewSampleRow(id={self.id}, path={self.path!r}, type={self.pii_type!r})"
