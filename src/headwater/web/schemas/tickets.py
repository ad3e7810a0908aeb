"""Privacy tickets: what is created, listed and shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from headwater.web.schemas.common import Line, Text


class Task(BaseModel):
    id: int
    connection: str
    provider: str
    status: str
    attempts: int
    last_error: str | None
    records: int
    counts: dict[str, Any]
    identities: list[Any] = Field(description="How the person was found in this connection")
    updated_at: datetime | None
    finished_at: datetime | None


class Ticket(BaseModel):
    id: str = Field(examples=["DSR-7K3QX2"])
    kind: str = Field(description="delete or copy")
    status: str
    needs_attention: bool = Field(
        description="A task failed or needs input: a person must act, whatever the ticket's status"
    )
    email: str
    identifiers: dict[str, Any]
    regulation: str
    received_at: datetime
    due_at: datetime
    days_left: int | None = Field(description="Whole days to the deadline; None once closed")
    overdue: bool
    records: int
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    tasks: list[Task]


class PollFailure(BaseModel):
    connection: str
    provider_job: str = Field(description="The provider's id of the job")
    error: str = Field(description="Why it could not be polled, and what to do")
    permanent: bool = Field(
        description="True: no later poll can succeed (key refused, connection removed or disabled), so "
        "the tasks waiting on it failed; False: it is polled again later"
    )


class RefreshedTicket(Ticket):
    polled: int = Field(description="Provider jobs the providers answered about just now")
    poll_failures: list[PollFailure] = Field(description="Each job that could not be polled, with why")


class TicketPage(BaseModel):
    items: list[Ticket]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; None at the end")


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["delete", "copy"]
    email: Line = Field(min_length=3, max_length=254, description="The person's email address")
    regulation: Literal["gdpr", "ccpa"] = Field(default="gdpr", description="gdpr: 30 days; ccpa: 45")
    fullstory_uid: Line | None = Field(default=None, max_length=256)
    amplitude_user_id: Line | None = Field(default=None, max_length=256)
    amplitude_id: int | None = Field(default=None, ge=0, le=2**63 - 1)
    connections: list[Line] | None = Field(
        default=None, max_length=100, description="Only these connections; default: every enabled one"
    )
    received_at: AwareDatetime | None = Field(default=None, description="When it arrived; default now")


class IdentityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connection: Line = Field(min_length=1, max_length=100)
    uid: Line | None = Field(default=None, max_length=256, description="The person's id there")
    amplitude_id: int | None = Field(default=None, ge=0, le=2**63 - 1)


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(default="", max_length=2000, description="Why, for the audit trail")


class ImportRow(BaseModel):
    line: int
    email: str
    ok: bool
    outcome: Literal["created", "duplicate", "refused"]
    ticket: str | None = Field(default=None, description="New, or the open one a duplicate matched")
    status: str | None = None
    error: str | None = None


class ImportResult(BaseModel):
    created: int
    duplicates: int = Field(description="Rows skipped: the person already has an open request of that kind")
    refused: int
    rows: list[ImportRow]
