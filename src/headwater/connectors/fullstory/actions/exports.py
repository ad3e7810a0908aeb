"""Actions that take data out of FullStory: segments and their exports, the legacy bundles, and one
person's exported events."""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Literal

from pydantic import BaseModel, Field

from headwater.actions.decorator import action
from headwater.actions.local_files import LocalPath
from headwater.actions.model import READ, ActionContext
from headwater.actions.rowsink import RowsOutput, sink_rows
from headwater.connectors.fullstory.actions.events import rfc3339
from headwater.connectors.fullstory.actions.polling import wait_until
from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.models import Bundle, Operation, Segment
from headwater.errors import ProviderError


class ListSegmentsInput(BaseModel):
    creator: str | None = Field(default=None, description="Only segments created by this email")


class ListSegmentsOutput(BaseModel):
    segments: list[Segment]
    count: int


@action(
    "list-segments",
    title="List segments",
    effect=READ,
    keywords=("cohorts", "audiences", "saved searches", "groups", "filters", "segment"),
)
def list_segments(client: FullStoryClient, data: ListSegmentsInput, ctx: ActionContext) -> ListSegmentsOutput:
    """List the saved segments of the FullStory organization."""
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
    path: LocalPath | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )
    poll_interval: float = Field(default=5.0, gt=0)
    timeout: float = Field(default=6 * 3600.0, gt=0)


class ExportSegmentOutput(RowsOutput):
    operation_id: str
    search_export_id: str
    expires: str = Field(default="", description="When FullStory's download link expires")


@action(
    "export-segment",
    title="Export a segment",
    effect=READ,
    keywords=("export", "data", "warehouse", "raw events", "segment", "events", "individuals", "csv", "json"),
)
def export_segment(
    client: FullStoryClient, data: ExportSegmentInput, ctx: ActionContext
) -> ExportSegmentOutput:
    """Export a segment's events or people for a time range and return (or save) the rows."""
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


@action(
    "get-operation",
    title="Get an operation",
    effect=READ,
    keywords=("status", "job", "check", "export status", "deletion status"),
)
def get_operation(client: FullStoryClient, data: GetOperationInput, ctx: ActionContext) -> Operation:
    """Check the state and progress of a long-running FullStory operation (export or delete)."""
    return client.segments.get_operation(data.id)


class ListBundlesInput(BaseModel):
    start: datetime | None = Field(default=None, description="Bundles ending after this moment; default: all")


class ListBundlesOutput(BaseModel):
    bundles: list[Bundle] = Field(
        description="Id, Start and Stop (Unix seconds) of each bundle, oldest first"
    )
    count: int


@action(
    "list-export-bundles",
    title="List data export bundles",
    effect=READ,
    keywords=(
        "export",
        "data",
        "warehouse",
        "raw events",
        "bundles",
        "legacy",
        "archive",
        "files",
        "hourly",
        "daily",
    ),
)
def list_bundles(client: FullStoryClient, data: ListBundlesInput, ctx: ActionContext) -> ListBundlesOutput:
    """List the legacy Data Export bundles (periodic files of all events)."""
    start = int(data.start.timestamp()) if data.start else 0
    bundles = list(islice(client.legacy.bundles(start), ctx.limit))
    return ListBundlesOutput(bundles=bundles, count=len(bundles))


class DownloadBundleInput(BaseModel):
    bundle_id: int = Field(description="Id from list-export-bundles")
    path: LocalPath | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )


@action(
    "download-export-bundle",
    title="Download a data export bundle",
    effect=READ,
    keywords=("export", "data", "warehouse", "raw events", "bundle", "legacy", "archive", "file", "gzip"),
)
def download_bundle(client: FullStoryClient, data: DownloadBundleInput, ctx: ActionContext) -> RowsOutput:
    """Download one legacy Data Export bundle and return (or save) its event rows."""
    return sink_rows(client.legacy.download(data.bundle_id), ctx, path=data.path, what="Bundle rows")


class UserEventsInput(BaseModel):
    uid: str = Field(description="Your application's user id")
    path: LocalPath | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )


@action(
    "export-user-events",
    title="Export one person's events",
    effect=READ,
    keywords=("export", "data", "gdpr", "access request", "dsar", "copy"),
)
def user_events(client: FullStoryClient, data: UserEventsInput, ctx: ActionContext) -> RowsOutput:
    """Export every event row FullStory holds about one person (by uid), for access requests."""
    return sink_rows(client.legacy.user_events(data.uid), ctx, path=data.path, what="Event rows")
