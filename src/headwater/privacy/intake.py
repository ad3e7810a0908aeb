"""Taking a request in: everything a person typed is checked before anything is stored, so a bad request
is refused with one clear message (exit 2) and never half-created."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from headwater.connections import ConnectionSummary
from headwater.connectors.registry import holds_personal_data
from headwater.errors import BadInput
from headwater.privacy import deadlines, states, tracking
from headwater.privacy.models import TaskRow, TicketRow, new_ticket_id
from headwater.privacy.subjects import check_email, clean_identifiers
from headwater.store.models import utcnow

KINDS = ("delete", "copy")


@dataclass(frozen=True)
class Request:
    kind: str
    email: str
    identifiers: dict[str, Any]
    targets: list[ConnectionSummary]
    regulation: str
    received_at: datetime


def clean(identifiers: dict[str, Any]) -> dict[str, Any]:
    return clean_identifiers({k: v for k, v in identifiers.items() if k != "email"})


def check(
    kind: str,
    email: str,
    identifiers: dict[str, Any],
    connections: Sequence[str] | None,
    regulation: str,
    received_at: datetime | None,
    known: Sequence[ConnectionSummary],
) -> Request:
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise BadInput(f"Unknown request kind {kind!r}.", hint="Use delete or copy.")
    if received_at is not None and received_at.tzinfo is None:
        raise BadInput("The date received needs a time zone.", hint="e.g. 2026-05-01T09:00:00+00:00")
    return Request(
        kind=kind,
        email=check_email(email),
        identifiers=clean(identifiers),
        targets=targets(connections, known),
        regulation=deadlines.check_regulation(regulation or "gdpr"),
        received_at=received_at or utcnow(),
    )


def targets(names: Sequence[str] | None, known: Sequence[ConnectionSummary]) -> list[ConnectionSummary]:
    """The named connections, or every enabled one that holds personal data; unknown or disabled names,
    and connections that hold none (a Slack webhook), are refused."""
    if not names:
        enabled = [c for c in known if c.enabled and holds_personal_data(c.kind)]
        if not enabled:
            raise BadInput(
                "There is no enabled connection to send the request to.",
                hint="Connect one first: `headwater connect fullstory ...` "
                "or `headwater connect amplitude ...`.",
            )
        return enabled
    by_name = {c.name: c for c in known}
    chosen = []
    for name in dict.fromkeys(n.strip() for n in names):
        summary = by_name.get(name)
        if summary is None:
            listed = ", ".join(sorted(by_name)) or "none yet"
            raise BadInput(f"Unknown connection {name!r}.", hint=f"Known connections: {listed}.")
        if not summary.enabled:
            raise BadInput(
                f"Connection {name!r} is disabled.",
                hint=f"Enable it with `headwater connections enable {name}`.",
            )
        if not holds_personal_data(summary.kind):
            raise BadInput(
                f"Connection {name!r} ({summary.kind}) holds no personal data to delete or copy.",
                hint="Name a FullStory or Amplitude connection, or leave --connection out.",
            )
        chosen.append(summary)
    return chosen


def build(session: Session, request: Request, *, actor: str) -> tuple[TicketRow, list[TaskRow]]:
    ticket_id = new_ticket_id()
    while session.get(TicketRow, ticket_id) is not None:  # about one in a billion
        ticket_id = new_ticket_id()
    at = utcnow()
    ticket = TicketRow(
        id=ticket_id,
        kind=request.kind,
        email=request.email,
        identifiers=request.identifiers,
        regulation=request.regulation,
        received_at=request.received_at,
        due_at=deadlines.due_date(request.received_at, request.regulation),
        status=states.RECEIVED,
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    session.add(ticket)
    session.flush()
    tasks = [
        TaskRow(
            ticket_id=ticket_id,
            connection=c.name,
            provider=c.kind,
            status=states.PENDING,
            round=0,
            attempts=0,
            identities=[],
            records=0,
            counts={},
            created_at=at,
            updated_at=at,
        )
        for c in request.targets
    ]
    session.add_all(tasks)
    session.flush()
    tracking.record(
        session,
        ticket_id,
        actor,
        "created",
        f"{request.kind.capitalize()} request under {request.regulation.upper()} for {request.email}, "
        f"due {ticket.due_at.date().isoformat()}, in {', '.join(c.name for c in request.targets)}.",
        kind=request.kind,
        regulation=request.regulation,
        connections=[c.name for c in request.targets],
        identifiers=sorted(request.identifiers),
        received_at=request.received_at.isoformat(),
    )
    return ticket, tasks
