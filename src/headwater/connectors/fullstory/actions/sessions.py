"""Actions on FullStory sessions: a person's sessions with replay links, and one session's events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from headwater.actions.decorator import action
from headwater.actions.model import READ, ActionContext
from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.models import Session


class ListSessionsInput(BaseModel):
    uid: str | None = Field(default=None, description="Your application's user id")
    email: str | None = Field(default=None, description="Email address; with uid too, sessions of either")
    limit: int = Field(default=20, ge=1, le=1000, description="Most recent sessions to return")
    created_after: datetime | None = Field(
        default=None,
        description="Only sessions started after this time; reading stops at the first older one, so the "
        "cost follows the number of new sessions, not the person's history",
    )
    created_before: datetime | None = Field(
        default=None, description="Only sessions started at or before this time"
    )

    @model_validator(mode="after")
    def _someone(self) -> ListSessionsInput:
        if not self.uid and not self.email:
            raise ValueError("give a uid or an email")
        return self


class SessionOut(Session):
    id: str = Field(description="UserId:SessionId, the form get-session-events takes")


class ListSessionsOutput(BaseModel):
    sessions: list[SessionOut]
    count: int
    complete: bool = Field(
        default=True, description="False when more sessions matched the time range than `limit` allowed"
    )


#: the first request of a time-bounded listing; each further one asks for four times as many
FIRST_WINDOW = 50


@action(
    "list-sessions",
    title="List a person's sessions",
    effect=READ,
    keywords=("recordings", "replays", "session replay", "visits", "playback", "user", "history"),
)
def list_sessions(client: FullStoryClient, data: ListSessionsInput, ctx: ActionContext) -> ListSessionsOutput:
    """List the recorded sessions of a person (by uid or email), with replay links."""
    limit = min(data.limit, ctx.limit) if ctx.limit is not None else data.limit
    if data.created_after is None and data.created_before is None:
        found = client.sessions.search(uid=data.uid, email=data.email, limit=limit)
        sessions = [SessionOut(**s.model_dump(), id=s.full_id()) for s in found]
        return ListSessionsOutput(sessions=sessions, count=len(sessions))
    return _in_range(client, data, limit)


def _in_range(client: FullStoryClient, data: ListSessionsInput, limit: int) -> ListSessionsOutput:
    """`/sessions/v2` has no time filter and no pages, but lists newest first: ask for a small window and
    widen it only while every session in it is still newer than `created_after`."""
    after = _seconds(data.created_after)
    before = _seconds(data.created_before)
    window = min(FIRST_WINDOW, limit)
    while True:
        found = client.sessions.search(uid=data.uid, email=data.email, limit=window)
        times = [float(s.createdTime or 0) for s in found]
        boundary = len(found) < window or (after is not None and any(t <= after for t in times))
        kept = [
            SessionOut(**s.model_dump(), id=s.full_id())
            for s, t in zip(found, times, strict=True)
            if (after is None or t > after) and (before is None or t <= before)
        ]
        if boundary or window >= limit:
            return ListSessionsOutput(sessions=kept, count=len(kept), complete=boundary)
        window = min(window * 4, limit)


def _seconds(moment: datetime | None) -> float | None:
    """Unix seconds, reading a time without a zone as UTC (FullStory's `createdTime` is UTC seconds)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class SessionEventsInput(BaseModel):
    session_id: str = Field(description="UserId:SessionId (from list-sessions, or the end of a replay URL)")


class SessionEventsOutput(BaseModel):
    events: list[dict[str, Any]] = Field(description="Events in FullStory's destinations event model")
    count: int


@action(
    "get-session-events",
    title="Get a session's events",
    effect=READ,
    keywords=("clicks", "pages", "navigation", "timeline", "what happened"),
)
def session_events(
    client: FullStoryClient, data: SessionEventsInput, ctx: ActionContext
) -> SessionEventsOutput:
    """Read the events (clicks, navigations, custom events) of one recorded session."""
    events = client.sessions.events(data.session_id)
    if ctx.limit is not None:
        events = events[: ctx.limit]
    return SessionEventsOutput(events=events, count=len(events))
