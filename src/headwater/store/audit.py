"""Writing and reading the append-only audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headwater.store.models import AuditRow


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    details: dict[str, Any] | None = None,
    message: str = "",
) -> AuditRow:
    """Add one entry to the trail in the caller's transaction, so it commits with the change it explains."""
    row = AuditRow(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=details or {},
        message=message,
    )
    session.add(row)
    return row


def trail(session: Session, subject_type: str, subject_id: str | int) -> list[AuditRow]:
    query = (
        select(AuditRow)
        .where(AuditRow.subject_type == subject_type, AuditRow.subject_id == str(subject_id))
        .order_by(AuditRow.id)
    )
    return list(session.scalars(query))


def as_dict(row: AuditRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "action": row.action,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "details": row.details,
        "message": row.message,
    }
