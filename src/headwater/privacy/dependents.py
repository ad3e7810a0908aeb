"""Open privacy requests that still need a connection.

Removing or disabling a connection fails every task that still has work in it (its jobs can no longer
be polled, see `following`), so the faces name those requests and go ahead only when told to: `--yes`
on the command line, `?force=true` over REST.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from headwater.errors import Conflict
from headwater.privacy import states
from headwater.privacy.models import TaskRow, TicketRow
from headwater.store import Database

#: tickets named in a message; the error itself carries all of them
SHOWN = 10
#: a task in these has no work left in its connection
SETTLED = frozenset({states.COMPLETED, states.CANCELLED})
DOING = {"remove": "Removing", "disable": "Disabling"}


class ConnectionInUse(Conflict):
    """Open requests depend on the connection (exit code 2, HTTP 409 with the tickets)."""

    code = "connection_in_use"

    def __init__(self, connection: str, action: str, tickets: list[str]) -> None:
        super().__init__(
            f"{len(tickets)} open privacy request(s) still need connection {connection!r}: "
            f"{_named(tickets)}. {DOING.get(action, action)} it fails their {connection} tasks.",
            hint=f"Let them finish or cancel them first, or confirm (--yes; REST: ?force=true) to {action} "
            "it anyway.",
        )
        self.tickets = tickets


def open_tickets(db: Database, connection: str) -> list[str]:
    """Ids of the open tickets with a task still to finish in `connection`, oldest first."""
    unsettled = exists().where(
        TaskRow.ticket_id == TicketRow.id,
        TaskRow.connection == connection,
        TaskRow.status.not_in(SETTLED),
    )
    query = (
        select(TicketRow.id)
        .where(TicketRow.status.not_in(states.CLOSED), unsettled)
        .order_by(TicketRow.received_at, TicketRow.id)
    )
    with db.session() as session:
        return list(session.scalars(query))


def check(db: Database, connection: str, *, action: str, force: bool) -> list[str]:
    """The open tickets that need `connection` (`action`: "remove", "disable"); refused with
    `ConnectionInUse` when there are some and `force` is not given."""
    tickets = open_tickets(db, connection)
    if tickets and not force:
        raise ConnectionInUse(connection, action, tickets)
    return tickets


def warning(connection: str, tickets: list[str]) -> str:
    """What to tell a person who went ahead anyway."""
    return (
        f"Warning: {len(tickets)} open privacy request(s) needed {connection!r} ({_named(tickets)}); their "
        f"{connection} tasks fail at their next check. After fixing it, `headwater dsr retry` them."
    )


def _named(tickets: list[str]) -> str:
    more = len(tickets) - SHOWN
    return ", ".join(tickets[:SHOWN]) + (f" and {more} more" if more > 0 else "")
