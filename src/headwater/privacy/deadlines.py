"""Statutory deadlines: when a request is due, and how far it is from that.

GDPR Art. 12(3) gives one month from receipt (kept as 30 days, as privacy teams track it); CCPA
§1798.130 gives 45 days. Extensions are a decision a person records, not something computed here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from headwater.errors import BadInput

DAYS_TO_RESPOND = {"gdpr": 30, "ccpa": 45}
REGULATIONS = tuple(DAYS_TO_RESPOND)


def check_regulation(regulation: str) -> str:
    value = regulation.strip().lower()
    if value not in DAYS_TO_RESPOND:
        raise BadInput(f"Unknown regulation {regulation!r}.", hint=f"Use one of: {', '.join(REGULATIONS)}.")
    return value


def due_date(received_at: datetime, regulation: str) -> datetime:
    return received_at + timedelta(days=DAYS_TO_RESPOND[check_regulation(regulation)])


def days_left(due_at: datetime, now: datetime) -> int:
    """Whole days until the deadline; negative once it has passed."""
    return (due_at - now).days if due_at >= now else -((now - due_at).days + 1)


def is_overdue(due_at: datetime, now: datetime, *, closed: bool) -> bool:
    return not closed and now > due_at
