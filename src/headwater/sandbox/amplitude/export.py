"""Export API (``/api/2/export``): every event uploaded in an hour range, as a streamed ZIP of gzipped NDJSON.

Selection is by ``server_upload_time`` with the end hour included; an empty range is a 404, as Amplitude
answers for hours with no data.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from headwater.sandbox.amplitude.auth import project_key
from headwater.sandbox.amplitude.errors import ApiError, bad_request
from headwater.sandbox.amplitude.params import BadParam, parse_hour
from headwater.sandbox.amplitude.state import AmplitudeState, get_state
from headwater.sandbox.amplitude.zipstream import stream_zip

MAX_SPAN = timedelta(days=365)
FORCED_BODIES = {
    400: "Raw data files were too large to export. Shorten the time range, or use the Amazon S3 export.",
    504: "The data volume caused a timeout. Try a shorter time range.",
}


def router() -> APIRouter:
    routes = APIRouter()

    @routes.get("/api/2/export")
    def export(
        request: Request, _: str = Depends(project_key), state: AmplitudeState = Depends(get_state)
    ) -> StreamingResponse:
        try:
            start = parse_hour(request.query_params.get("start"), "start")
            end = parse_hour(request.query_params.get("end"), "end")
        except BadParam as exc:
            raise bad_request(str(exc)) from None
        if start > end:
            raise bad_request("start must not be after end")
        if end - start > MAX_SPAN:
            raise bad_request("The export range may span at most 365 days")
        forced = state.settings.export_force_status
        if forced is not None:
            raise ApiError(forced, FORCED_BODIES.get(forced, "Export failed"))
        lines = state.store.lines_uploaded(start, end + timedelta(hours=1), state.clock.now())
        first = next(lines, None)
        if first is None:
            raise ApiError(404, "No data available for the requested time range")
        app_id = state.settings.app_id
        body = stream_zip(itertools.chain([first], lines), app_id, state.settings.export_rows_per_part)
        filename = f"{app_id}_export_{start:%Y%m%dT%H}_{end:%Y%m%dT%H}.zip"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return StreamingResponse(body, media_type="application/zip", headers=headers)

    return routes
