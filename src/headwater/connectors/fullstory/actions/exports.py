"""Actions that take data out of FullStory: segments and their exports, the legacy bundles, and one
person's exported events."""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Literal

from pydantic import BaseModel, Field

from headwater.actions.model import Action, ActionContext
from headwater.actions.rowsink import RowsOutput, sink_rows
from headwater.connectors.fullstory.actions.events import rfc3339
from headwater.connectors.fullstory.actions.polling import wait_until
from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.models import Bundle, Operation, Segment
from headwater.errors import ProviderError

PROVIDER = "fullstory"
EXPORT_WORDS = ("export", "download", "extract", "dump", "data", "bulk", "warehouse", "raw events")


class ListSegmentsInput(BaseModel):
    creator: str | None = Field(default=None, description="Only segments created by this email")


class ListSegmentsOutput(BaseModel):
    segments: list[Segment]
    count: int


def list_segments(client: FullStoryClient, data: ListSegmentsInput, ctx: ActionContext) -> ListSegmentsOutput:
    segments = list(islice(client.segments.list(creator=data.creator), ctx.limit))
    return ListSegmentsOutput(segments=segments, count=len(segments))


class ExportSegmentInput(BaseModel):
    segment_id: str = Field(default="everyone", description="Segment id, e.g. 'everyone'")
    type: Literal["events", "individuals"] = Field(
        default="events", description="Event rows or one row per person"
    )
    format: Literal["json", "ndjson", "csv"] = "json"
    start: datetime | None = Field(default=None, description="First moment included; default: unbounded")
    end: datetime | None = Field(default=None, description="End (excluded); default: unbounded")
    fields: list[str] = Field(default_factory=list, description="Columns; wildcards like user_* allowed")
    timezone: str | None = Field(default=None, description="IANA zone for the segment's relative dates")
    path: str | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )
    poll_interval: float = Field(default=5.0, gt=0)
    timeout: float = Field(default=6 * 3600.0, gt=0)


class ExportSegmentOutput(RowsOutput):
    operation_id: str
    search_export_id: str
    expires: str = Field(default="", description="When FullStory's download link expires")


def export_segment(
    client: FullStoryClient, data: ExportSegmentInput, ctx: ActionContext
) -> ExportSegmentOutput:
    api = client.segments
    operation_id = api.create_export(
        data.segment_id,
        export_type=data.type,
        fmt=data.format,
        start=rfc3339(data.start) if data.start else "",
        end=rfc3339(data.end) if data.end else "",
        fields=data.fields,
        timezone=data.timezone,
    )
    operation: Operation = wait_until(
        ctx,
        lambda: api.get_operation(operation_id),
        lambda op: op.state in ("COMPLETED", "FAILED"),
        what=f"FullStory export of segment {data.segment_id}",
        interval=data.poll_interval,
        timeout=data.timeout,
        percent=lambda op: op.estimatePctComplete,
        resume_hint=f"It continues in FullStory; follow it with get-operation {operation_id}.",
    )
    if operation.state == "FAILED":
        reason = operation.errorDetails or "no reason given"
        raise ProviderError(
            f"FullStory's export of segment {data.segment_id} failed: {reason}.",
            hint="Check the segment id, the fields and the time range, then export again.",
        )
    export_id = str((operation.results or {}).get("searchExportId") or "")
    if not export_id:
        raise ProviderError(
            f"FullStory's export operation {operation_id} finished without a search export id."
        )
    location = api.export_location(export_id)
    rows = sink_rows(api.download(location.location, data.format), ctx, path=data.path, what="Export rows")
    return ExportSegmentOutput(
        **rows.model_dump(), operation_id=operation_id, search_export_id=export_id, expires=location.expires
    )


class GetOperationInput(BaseModel):
    id: str = Field(description="Operation id (from export-segment or a v1 delete)")


def get_operation(client: FullStoryClient, data: GetOperationInput, ctx: ActionContext) -> Operation:
    return client.segments.get_operation(data.id)


class ListBundlesInput(BaseModel):
    start: datetime | None = Field(default=None, description="Bundles ending after this moment; default: all")


class ListBundlesOutput(BaseModel):
    bundles: list[Bundle] = Field(
        description="Id, Start and Stop (Unix seconds) of each bundle, oldest first"
    )
    count: int


def list_bundles(client: FullStoryClient, data: ListBundlesInput, ctx: ActionContext) -> ListBundlesOutput:
    start = int(data.start.timestamp()) if data.start else 0
    bundles = list(islice(client.legacy.bundles(start), ctx.limit))
    return ListBundlesOutput(bundles=bundles, count=len(bundles))


class DownloadBundleInput(BaseModel):
    bundle_id: int = Field(description="Id from list-export-bundles")
    path: str | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )


def download_bundle(client: FullStoryClient, data: DownloadBundleInput, ctx: ActionContext) -> RowsOutput:
    return sink_rows(client.legacy.download(data.bundle_id), ctx, path=data.path, what="Bundle rows")


class UserEventsInput(BaseModel):
    uid: str = Field(description="Your application's user id")
    path: str | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )


def user_events(client: FullStoryClient, data: UserEventsInput, ctx: ActionContext) -> RowsOutput:
    return sink_rows(client.legacy.user_events(data.uid), ctx, path=data.path, what="Event rows")


ACTIONS = [
    Action(
        key="list-segments",
        provider=PROVIDER,
        title="List segments",
        description="List the saved segments of the FullStory organization.",
        run=list_segments,
        input_model=ListSegmentsInput,
        output_model=ListSegmentsOutput,
        read_only=True,
        destructive=False,
        keywords=("cohorts", "audiences", "saved searches", "groups", "filters", "segment"),
    ),
    Action(
        key="export-segment",
        provider=PROVIDER,
        title="Export a segment",
        description="Export a segment's events or people for a time range and return (or save) the rows.",
        run=export_segment,
        input_model=ExportSegmentInput,
        output_model=ExportSegmentOutput,
        read_only=True,
        destructive=False,
        keywords=(*EXPORT_WORDS, "segment", "events", "individuals", "csv", "json"),
    ),
    Action(
        key="get-operation",
        provider=PROVIDER,
        title="Get an operation",
        description="Check the state and progress of a long-running FullStory operation (export or delete).",
        run=get_operation,
        input_model=GetOperationInput,
        output_model=Operation,
        read_only=True,
        destructive=False,
        keywords=("status", "progress", "job", "check", "export status", "deletion status"),
    ),
    Action(
        key="list-export-bundles",
        provider=PROVIDER,
        title="List data export bundles",
        description="List the legacy Data Export bundles (periodic files of all events).",
        run=list_bundles,
        input_model=ListBundlesInput,
        output_model=ListBundlesOutput,
        read_only=True,
        destructive=False,
        keywords=(*EXPORT_WORDS, "bundles", "legacy", "archive", "files", "hourly", "daily"),
    ),
    Action(
        key="download-export-bundle",
        provider=PROVIDER,
        title="Download a data export bundle",
        description="Download one legacy Data Export bundle and return (or save) its event rows.",
        run=download_bundle,
        input_model=DownloadBundleInput,
        output_model=RowsOutput,
        read_only=True,
        destructive=False,
        keywords=(*EXPORT_WORDS, "bundle", "legacy", "archive", "file", "gzip"),
    ),
    Action(
        key="export-user-events",
        provider=PROVIDER,
        title="Export one person's events",
        description="Export every event row FullStory holds about one person (by uid), for access requests.",
        run=user_events,
        input_model=UserEventsInput,
        output_model=RowsOutput,
        read_only=True,
        destructive=False,
        keywords=(*EXPORT_WORDS, "person", "individual", "gdpr", "access request", "dsar", "copy", "subject"),
    ),
]
