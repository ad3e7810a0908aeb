"""Actions that write to FullStory's timeline: one custom event, or an annotation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from headwater.actions.decorator import action
from headwater.actions.model import WRITE, ActionContext
from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.models import Annotation


def rfc3339(moment: datetime) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CreateEventInput(BaseModel):
    name: str = Field(min_length=1, description="Event name, e.g. 'Support Ticket'")
    user_uid: str | None = Field(default=None, description="Attach to the user with this uid")
    user_id: str | None = Field(default=None, description="Or to the user with this FullStory id")
    session_id: str | None = Field(default=None, description="Or to this session (UserId:SessionId)")
    use_most_recent_session: bool = Field(
        default=False, description="Attach to the user's session active in the last 30 minutes, if any"
    )
    timestamp: datetime | None = Field(default=None, description="When it happened; default: now")
    properties: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] | None = Field(default=None, description="browser / mobile / device / location")
    idempotency_key: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CreateEventInput:
        if self.user_uid and self.user_id:
            raise ValueError("give user_uid or user_id, not both")
        if self.session_id and (self.user_uid or self.user_id):
            raise ValueError("a session_id already names the user; leave user_uid and user_id out")
        if self.use_most_recent_session and not (self.user_uid or self.user_id):
            raise ValueError("use_most_recent_session needs user_uid or user_id")
        return self

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "properties": self.properties}
        body["timestamp"] = rfc3339(self.timestamp or datetime.now(UTC))
        if self.user_uid:
            body["user"] = {"uid": self.user_uid}
        elif self.user_id:
            body["user"] = {"id": self.user_id}
        if self.session_id:
            body["session"] = {"id": self.session_id}
        elif self.use_most_recent_session:
            # FullStory treats use_most_recent=false as true, so the flag is only ever sent as true
            body["session"] = {"use_most_recent": True}
        if self.context:
            body["context"] = self.context
        return body


class CreateEventOutput(BaseModel):
    accepted: bool = True
    timestamp: str


@action(
    "create-event",
    title="Send a custom event",
    effect=WRITE,
    keywords=("track", "custom event", "log", "server-side", "conversion", "signal"),
)
def create_event(client: FullStoryClient, data: CreateEventInput, ctx: ActionContext) -> CreateEventOutput:
    """Record one server-side custom event on a user or session."""
    body = data.body()
    client.events.create(body, idempotency_key=data.idempotency_key)
    return CreateEventOutput(timestamp=body["timestamp"])


class CreateAnnotationInput(BaseModel):
    text: str = Field(min_length=1, max_length=200)
    start_time: datetime | None = Field(default=None, description="Default: now")
    end_time: datetime | None = Field(default=None, description="Default: start_time")
    source: str | None = Field(default=None, max_length=40, description="Shown on the chart, e.g. 'CI'")

    @model_validator(mode="after")
    def _ordered(self) -> CreateAnnotationInput:
        if self.start_time and self.end_time and self.end_time < self.start_time:
            raise ValueError("end_time must not be before start_time")
        return self


@action(
    "create-annotation",
    title="Create an annotation",
    effect=WRITE,
    keywords=("deploy", "release", "incident", "campaign", "timeline", "chart", "label"),
)
def create_annotation(client: FullStoryClient, data: CreateAnnotationInput, ctx: ActionContext) -> Annotation:
    """Mark a moment (a release, an incident, a campaign) on FullStory's charts."""
    return client.events.annotate(
        data.text,
        start_time=rfc3339(data.start_time) if data.start_time else None,
        end_time=rfc3339(data.end_time) if data.end_time else None,
        source=data.source,
    )
