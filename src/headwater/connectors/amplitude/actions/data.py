"""Event data in and out: the Export API, HTTP V2 ingestion and Identify."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from headwater.actions.decorator import action
from headwater.actions.local_files import LocalPath
from headwater.actions.model import READ, WRITE, ActionContext
from headwater.actions.rowsink import RowsOutput, sink_rows
from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.export import hour
from headwater.connectors.amplitude.ingest import MAX_EVENTS
from headwater.connectors.amplitude.models import IngestResult


class ExportEventsInput(BaseModel):
    start: datetime = Field(description="First hour included (UTC; by when Amplitude received the events)")
    end: datetime = Field(description="Last hour included (UTC)")
    path: LocalPath | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ExportEventsInput:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class ExportEventsOutput(RowsOutput):
    start_hour: str
    end_hour: str


@action(
    "export-events",
    title="Export events",
    effect=READ,
    keywords=("export", "raw events", "warehouse", "data"),
)
def export_events(client: AmplitudeClient, data: ExportEventsInput, ctx: ActionContext) -> ExportEventsOutput:
    """Export every event Amplitude received in a range of hours, as rows or a file."""
    rows = sink_rows(client.export.events(data.start, data.end), ctx, path=data.path, what="Exported events")
    return ExportEventsOutput(**rows.model_dump(), start_hour=hour(data.start), end_hour=hour(data.end))


class SendEventsInput(BaseModel):
    events: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_EVENTS,
        description="Events: event_type plus user_id or device_id; time in ms; insert_id to deduplicate",
    )
    min_id_length: int | None = Field(default=None, ge=1, description="Accept ids shorter than 5 characters")

    @model_validator(mode="after")
    def _complete(self) -> SendEventsInput:
        for number, event in enumerate(self.events):
            if not event.get("event_type"):
                raise ValueError(f"event {number} has no event_type")
            if not (event.get("user_id") or event.get("device_id")):
                raise ValueError(f"event {number} needs a user_id or a device_id")
        return self


@action(
    "send-events",
    title="Send events",
    effect=WRITE,
    keywords=("track", "log", "record", "server-side", "import", "analytics"),
)
def send_events(client: AmplitudeClient, data: SendEventsInput, ctx: ActionContext) -> IngestResult:
    """Send up to 2000 events to Amplitude (HTTP V2 API)."""
    return client.ingest.send(data.events, min_id_length=data.min_id_length)


class IdentifyInput(BaseModel):
    user_id: str | None = None
    device_id: str | None = None
    user_properties: dict[str, Any] = Field(
        default_factory=dict,
        description="Plain properties, or operations like {'$set': {...}, '$unset': [...]}",
    )
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="Other identification fields: platform, country, language, paying ...",
    )

    @model_validator(mode="after")
    def _someone(self) -> IdentifyInput:
        if not self.user_id and not self.device_id:
            raise ValueError("give a user_id or a device_id")
        return self


class IdentifyOutput(BaseModel):
    result: str = Field(description="Amplitude's answer ('success')")


@action(
    "identify-user",
    title="Set user properties",
    effect=WRITE,
    keywords=("identify", "properties", "attributes", "traits", "update", "user"),
)
def identify_user(client: AmplitudeClient, data: IdentifyInput, ctx: ActionContext) -> IdentifyOutput:
    """Set or change a user's properties without sending an event (Identify API)."""
    identification: dict[str, Any] = {**data.fields, "user_properties": data.user_properties}
    if data.user_id:
        identification["user_id"] = data.user_id
    if data.device_id:
        identification["device_id"] = data.device_id
    return IdentifyOutput(result=client.ingest.identify([identification]))
