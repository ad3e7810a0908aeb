"""DSAR API routes (``/api/2/dsar/requests``), authenticated with the org-level key pair.

Outputs are served directly as a 200 ``application/gzip`` download; strict mode answers with a 302 to a
presigned storage URL on another origin instead, as Amplitude does (see ``storage``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from headwater.sandbox.amplitude import storage
from headwater.sandbox.amplitude.access import DsarRequest
from headwater.sandbox.amplitude.auth import org_key
from headwater.sandbox.amplitude.bodies import read_params
from headwater.sandbox.amplitude.errors import ApiError, bad_request
from headwater.sandbox.amplitude.limits import spend
from headwater.sandbox.amplitude.params import BadParam, as_int, parse_day
from headwater.sandbox.amplitude.state import DSAR, AmplitudeState, get_state

POST_COST = 8
GET_COST = 1
PATH = "/api/2/dsar/requests"


def _create(state: AmplitudeState, params: dict[str, Any]) -> DsarRequest:
    user_id, raw_amplitude_id = params.get("userId"), params.get("amplitudeId")
    if (user_id is None) == (raw_amplitude_id is None):
        raise bad_request("Provide exactly one of userId or amplitudeId")
    if user_id is not None and not isinstance(user_id, str):
        raise bad_request("userId must be a string")
    amplitude_id = as_int(raw_amplitude_id) if raw_amplitude_id is not None else None
    if state.strict and raw_amplitude_id is not None and not isinstance(raw_amplitude_id, int):
        amplitude_id = None  # strict: an integer, as documented (ccpa-dsar; shared/api/amplitude.md §2)
    if raw_amplitude_id is not None and amplitude_id is None:
        raise bad_request("amplitudeId must be an integer")
    try:
        start = parse_day(params.get("startDate"), "startDate")
        end = parse_day(params.get("endDate"), "endDate")
    except BadParam as exc:
        raise bad_request(str(exc)) from None
    if start > end:
        raise bad_request("startDate must not be after endDate")
    return state.dsar.create(user_id, amplitude_id, start, end, state.clock.now())


def _find(state: AmplitudeState, request_id: str) -> DsarRequest:
    number = as_int(request_id)
    found = (
        state.dsar.get(number, state.store, state.clock.now(), state.settings) if number is not None else None
    )
    if found is None:
        raise ApiError(404, {"error": f"No DSAR request {request_id}"})
    return found


def router() -> APIRouter:
    routes = APIRouter()

    @routes.post(PATH)
    async def create_request(
        request: Request, api_key: str = Depends(org_key), state: AmplitudeState = Depends(get_state)
    ) -> JSONResponse:
        spend(state.limiter, api_key, DSAR, cost=POST_COST, what="the DSAR API (14,400 cost per hour)")
        created = _create(state, await read_params(request, json_only=state.strict))
        return JSONResponse({"requestId": created.request_id}, status_code=202)

    @routes.get(PATH + "/{request_id}")
    def request_status(
        request_id: str,
        request: Request,
        api_key: str = Depends(org_key),
        state: AmplitudeState = Depends(get_state),
    ) -> dict[str, Any]:
        spend(state.limiter, api_key, DSAR, cost=GET_COST, what="the DSAR API (14,400 cost per hour)")
        found = _find(state, request_id)
        return found.as_json(state.clock.now(), state.settings, str(request.base_url).rstrip("/"))

    @routes.get(PATH + "/{request_id}/outputs/{number}")
    def download_output(
        request_id: str,
        number: int,
        api_key: str = Depends(org_key),
        state: AmplitudeState = Depends(get_state),
    ) -> Response:
        spend(state.limiter, api_key, DSAR, cost=GET_COST, what="the DSAR API (14,400 cost per hour)")
        found = _find(state, request_id)
        now = state.clock.now()
        if found.status(now, state.settings) != "done" or not 0 <= number < len(found.outputs or []):
            raise ApiError(404, {"error": f"No output {number} for DSAR request {request_id}"})
        if now >= found.expires(state.settings):
            raise ApiError(404, {"error": f"The outputs of DSAR request {request_id} have expired"})
        if state.strict:
            return RedirectResponse(storage.presigned_url(state, found, number), status_code=302)
        body = (found.outputs or [])[number]
        filename = f"dsar-{found.request_id}-{number}.json.gz"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return Response(body, media_type="application/gzip", headers=headers)

    return routes
