"""Deleting preview samples whose seven days are over; run by a periodic job and by `preview purge`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from headwater.discovery.models import PreviewSampleRow
from headwater.store import Database
from headwater.store.models import utcnow


def purge_expired(session: Session, now: datetime) -> int:
    """Delete every sample whose expiry is at or before `now`; returns how many went."""
    result = session.execute(
        delete(PreviewSampleRow)
        .where(PreviewSampleRow.expires_at <= now.astimezone(UTC))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge(db: Database, now: datetime | None = None) -> int:
    """The purge in its own transaction; `now` is injectable so tests can move the clock."""
    with db.session() as session:
        return purge_expired(session, now or utcnow())
