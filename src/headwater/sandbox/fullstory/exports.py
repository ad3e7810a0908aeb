"""Segment Export: create (an operation), fetch the results link, download the signed gzip file."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from headwater.sandbox.fullstory import errors, export_files, wire
from headwater.sandbox.fullstory.auth import admin_key
from headwater.sandbox.fullstory.operations import SEARCH_EXPORT, Operation
from headwater.sandbox.fullstory.segments import find_segment
from headwater.sandbox.fullstory.state import FullStoryState, SearchExport, get_state

DOWNLOAD_PREFIX = "/_downloads/"
EXPORT_LIFETIME = timedelta(days=7)
LINK_LIFETIME = timedelta(hours=1)
TYPES = ("TYPE_EVENT", "TYPE_INDIVIDUAL")
FORMATS = ("FORMAT_JSON", "FORMAT_CSV", "FORMAT_NDJSON")

router = APIRouter()


@router.post("/segments/v1/exports", dependencies=[Depends(admin_key)])
def create_export(
    body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, str]:
    segment_id = wire.pick(body, "segmentId", "segment_id")
    export_type, export_format = body.get("type"), body.get("format")
    if not segment_id:
        raise errors.required("segmentId")
    for name, value, allowed in (("type", export_type, TYPES), ("format", export_format, FORMATS)):
        if not value:
            raise errors.required(name)
        if value not in allowed:
            raise errors.invalid(f"{name} must be one of {', '.join(allowed)}")
    if find_segment(str(segment_id)) is None:
        raise errors.not_found(f"segment {segment_id} does not exist")
    time_range = wire.pick(body, "timeRange", "time_range") or {}
    fields = body.get("fields") or []
    if not isinstance(time_range, dict) or not isinstance(fields, list):
        raise errors.invalid("timeRange must be an object and fields a list")
    start = wire.optional_time(time_range.get("start"), "timeRange.start")
    end = wire.optional_time(time_range.get("end"), "timeRange.end")
    if start is not None and end is not None and end < start:
        raise errors.invalid("timeRange.end must not be before timeRange.start")
    with state.lock:
        operation = state.operations.start(SEARCH_EXPORT, {"segmentId": segment_id}, on_complete=None)
        export = SearchExport(
            id="se-" + hashlib.sha256(operation.id.encode()).hexdigest()[:32],
            segment_id=str(segment_id),
            export_type=str(export_type),
            export_format=str(export_format),
            start=start,
            end=end,
            fields=[str(name) for name in fields],
            as_of=state.clock.now(),
        )
        state.exports[export.id] = export
        operation.on_complete = lambda done: _publish(state, export, done)
    return {"operationId": operation.id}


@router.get("/search/v1/exports/{export_id}/results", dependencies=[Depends(admin_key)])
def export_results(
    export_id: str, request: Request, state: FullStoryState = Depends(get_state)
) -> dict[str, str]:
    with state.lock:
        export = state.exports.get(export_id)
    now = state.clock.now()
    if export is None or export.expires is None or now >= export.expires:
        raise errors.not_found("search export does not exist, is not finished or has expired")
    link_expires = min(now + LINK_LIFETIME, export.expires)
    stamp = str(int(link_expires.timestamp()))
    location = (
        f"{str(request.base_url).rstrip('/')}{DOWNLOAD_PREFIX}search-exports/{export_id}"
        f"?expires={stamp}&signature={_sign(state, export_id, stamp)}"
    )
    return {"location": location, "expires": wire.rfc3339(link_expires)}


@router.get(DOWNLOAD_PREFIX + "search-exports/{export_id}")
def download_export(
    export_id: str, expires: str = "", signature: str = "", state: FullStoryState = Depends(get_state)
) -> StreamingResponse:
    """The pre-signed file: no Authorization header, only the signature and its expiry."""
    if not hmac.compare_digest(signature, _sign(state, export_id, expires)) or not expires.isdigit():
        raise errors.FullStoryError(403, "forbidden", "the signature of this download link is not valid")
    if state.clock.now() >= datetime.fromtimestamp(int(expires), UTC):
        raise errors.FullStoryError(400, "invalid_argument", "this download link has expired")
    with state.lock:
        export = state.exports.get(export_id)
    if export is None:
        raise errors.not_found()
    return StreamingResponse(
        export_files.gzipped_file(state, export),
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{export_files.file_name(export)}"'},
    )


def _publish(state: FullStoryState, export: SearchExport, operation: Operation) -> None:
    export.expires = (operation.finished_at or state.clock.now()) + EXPORT_LIFETIME
    operation.results = {"searchExportId": export.id, "expires": wire.rfc3339(export.expires)}


def _sign(state: FullStoryState, export_id: str, expires: str) -> str:
    return hmac.new(state.signing_secret, f"{export_id}:{expires}".encode(), hashlib.sha256).hexdigest()
