"""The content of a segment export file: event or individual rows, in JSON, NDJSON or CSV, gzipped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from headwater.sandbox.fullstory import encoding, rows
from headwater.sandbox.fullstory.segments import find_segment
from headwater.sandbox.fullstory.state import FullStoryState, SearchExport
from headwater.sandbox.fullstory.store import UserRecord
from headwater.sandbox.fullstory.stream import UserFilter, Window, event_rows, person_event_rows

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EVENT_ORDER = [
    "IndvId",
    "UserId",
    "SessionId",
    "PageId",
    "EventStart",
    "EventType",
    "EventSubType",
    "EventCustomName",
    "EventTargetText",
    "EventTargetSelector",
    "EventPageOffset",
    "EventSessionOffset",
    "EventModFrustrated",
    "EventModDead",
    "EventModError",
    "EventModSuspicious",
    "SessionStart",
    "PageName",
    "PageStart",
    "PageDuration",
    "PageActiveDuration",
    "PageUrl",
    "PageRefererUrl",
    "PageIp",
    "PageLatLong",
    "PageUserAgent",
    "PageBrowser",
    "PageDevice",
    "PagePlatform",
    "PageOperatingSystem",
    "PageScreenWidth",
    "PageScreenHeight",
    "PageViewportWidth",
    "PageViewportHeight",
    "PageClusterId",
    "UserCreated",
    "UserAppKey",
    "UserDisplayName",
    "UserEmail",
]
INDIVIDUAL_ORDER = [
    "IndvId",
    "Uid",
    "DisplayName",
    "Email",
    "Created",
    "NumSessions",
    "NumPages",
    "NumEvents",
    "TotalSec",
    "ActiveSec",
    "LastSessionStart",
    "LastPage",
    "LastIp",
    "LastLatLong",
    "LastEventStart",
    "LastBrowser",
    "LastDevice",
    "LastPlatform",
    "LastOperatingSystem",
]
EXTENSIONS = {"FORMAT_JSON": "json", "FORMAT_NDJSON": "ndjson", "FORMAT_CSV": "csv"}


def file_name(export: SearchExport) -> str:
    segment = find_segment(export.segment_id)
    name = (segment.name if segment else export.segment_id).replace(" ", "_")
    return f"{name}_{export.as_of.date().isoformat()}.{EXTENSIONS[export.export_format]}.gz"


def gzipped_file(state: FullStoryState, export: SearchExport) -> Iterator[bytes]:
    """Rows are regenerated at download time, so users deleted since the export are left out."""
    end = min(export.end, export.as_of) if export.end is not None else export.as_of
    window = Window(export.start or EPOCH, end)
    segment = find_segment(export.segment_id)
    keep = None if segment is None or segment.id == "everyone" else segment.matches
    select = encoding.field_selector(export.fields)
    source = event_rows if export.export_type == "TYPE_EVENT" else individual_rows
    order = EVENT_ORDER if export.export_type == "TYPE_EVENT" else INDIVIDUAL_ORDER

    def produce() -> Iterator[rows.Row]:
        return (select(row) for row in source(state, window, keep))

    return encoding.gzipped(_encode(export, produce, order))


def _encode(
    export: SearchExport, produce: Callable[[], Iterator[rows.Row]], order: list[str]
) -> Iterator[bytes]:
    if export.export_format == "FORMAT_NDJSON":
        yield from encoding.ndjson(produce())
    elif export.export_format == "FORMAT_JSON":
        yield from encoding.json_array(produce())
    else:
        seen: set[str] = set()
        for row in produce():
            seen.update(row)
        yield from encoding.csv_table(produce(), encoding.csv_columns(export.fields, seen, order))


def individual_rows(state: FullStoryState, window: Window, keep: UserFilter | None) -> Iterator[rows.Row]:
    """One row per user with at least one event in the window."""
    with state.lock:
        records = [r for r in state.users.all() if not r.being_deleted and (keep is None or keep(r))]
    for record in records:
        row = _individual(record, person_event_rows(state, record, window))
        if row is not None:
            yield row


def _individual(record: UserRecord, events: Iterator[rows.Row]) -> rows.Row | None:
    sessions: set[Any] = set()
    pages: dict[Any, int] = {}
    count, last = 0, None
    for event in events:
        count, last = count + 1, event
        sessions.add(event.get("SessionId"))
        if "PageId" in event:
            pages[event["PageId"]] = int(event.get("PageDuration", 0))
    if last is None:
        return None
    total_ms = sum(pages.values())
    row: rows.Row = {
        "IndvId": int(record.id),
        "Uid": record.uid,
        "DisplayName": record.display_name,
        "Email": record.email,
        "Created": rows.rfc3339(record.created),
        "NumSessions": len(sessions),
        "NumPages": len(pages),
        "NumEvents": count,
        "TotalSec": total_ms // 1000,
        "ActiveSec": total_ms * 7 // 10_000,
        "LastSessionStart": last.get("SessionStart", ""),
        "LastPage": last.get("PageUrl", ""),
        "LastIp": last.get("PageIp", ""),
        "LastLatLong": last.get("PageLatLong", ""),
        "LastEventStart": last["EventStart"],
        "LastBrowser": last.get("PageBrowser", ""),
        "LastDevice": last.get("PageDevice", ""),
        "LastPlatform": last.get("PagePlatform", ""),
        "LastOperatingSystem": last.get("PageOperatingSystem", ""),
    }
    compact = {key: value for key, value in row.items() if value != ""}
    compact.update(rows.custom_vars("user", record.properties))
    return compact
