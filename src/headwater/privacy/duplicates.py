"""One open request per person and kind for requests that arrive in bulk: importing a file again (after
a crash part way, say) must not file the same person twice.

The check runs in the transaction that files the ticket, after the ticket's insert, so a crash leaves
either the ticket committed (and the next run finds it) or nothing. Two imports at once cannot both miss
each other's ticket either: on SQLite the insert takes the store's write lock before the check reads,
and on PostgreSQL a transaction lock on the person and kind is taken first.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from headwater.errors import Conflict
from headwater.privacy import states
from headwater.privacy.models import TicketRow

#: the first half of the two-key PostgreSQL advisory lock; the second is a hash of the person and kind
LOCK_SPACE = 0x68770002


class AlreadyOpen(Conflict):
    """The person already has an open request of this kind; nothing was filed."""

    code = "already_open"

    def __init__(self, ticket_id: str, ticket_status: str) -> None:
        super().__init__(
            f"{ticket_id} is already open ({ticket_status}) for this person and kind.",
            hint=f"Follow it with `headwater dsr show {ticket_id}`.",
        )
        self.ticket_id = ticket_id
        self.ticket_status = ticket_status


def hold(session: Session, kind: str, email: str) -> None:
    """Serialise filing for one person and kind until the transaction ends (PostgreSQL only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
            {"space": LOCK_SPACE, "key": f"{kind}:{email}"},
        )


def refuse_twin(session: Session, ticket: TicketRow) -> None:
    """Raise `AlreadyOpen` if another open ticket has this one's person and kind (the caller's
    transaction then rolls this one back)."""
    twin = session.execute(
        select(TicketRow.id, TicketRow.status)
        .where(
            TicketRow.email == ticket.email,
            TicketRow.kind == ticket.kind,
            TicketRow.id != ticket.id,
            TicketRow.status.not_in(states.CLOSED),
        )
        .order_by(TicketRow.created_at)
        .limit(1)
    ).first()
    if twin is not None:
        raise AlreadyOpen(twin.id, twin.status)
