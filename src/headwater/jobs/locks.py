"""Named leases in the store: at most one live holder per name across every process and machine.

A holder renews its lease well before it runs out; if it dies, another process takes the name once the
lease has expired. Nothing depends on a broker or a lock server, so this works in both modes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, delete, or_, update

from headwater.jobs.models import LockRow
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.store.sql import insert_ignoring_conflict


def acquire(db: Database, name: str, owner: str, ttl: float) -> bool:
    """Take or renew the lease; False while another live holder has it."""
    at = utcnow()
    expires = at + timedelta(seconds=ttl)
    with db.session() as session:
        renewed = session.execute(
            update(LockRow)
            .where(LockRow.name == name, or_(LockRow.owner == owner, LockRow.expires_at < at))
            .values(
                owner=owner,
                expires_at=expires,
                acquired_at=case((LockRow.owner == owner, LockRow.acquired_at), else_=at),
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if renewed:
            return True
        values = {"name": name, "owner": owner, "expires_at": expires, "acquired_at": at}
        return insert_ignoring_conflict(session, LockRow.__table__, values, "name")  # type: ignore[arg-type]


def release(db: Database, name: str, owner: str) -> None:
    """Give the lease up at once, so a successor need not wait for it to expire."""
    with db.session() as session:
        session.execute(delete(LockRow).where(LockRow.name == name, LockRow.owner == owner))
