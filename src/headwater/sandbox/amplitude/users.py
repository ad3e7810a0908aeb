"""User lookup: usersearch, useractivity (Dashboard REST API) and the User Profile API.

usersearch never looks at user properties, so an email is found only when it is (a prefix of) a user_id.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from headwater.sandbox.amplitude.auth import profile_key, project_key
from headwater.sandbox.amplitude.directory import UserRecord
from headwater.sandbox.amplitude.errors import ApiError, bad_request
from headwater.sandbox.amplitude.limits import spend, too_many
from headwater.sandbox.amplitude.params import as_bool, as_int
from headwater.sandbox.amplitude.rows import LIBRARY
from headwater.sandbox.amplitude.state import PROFILE, USER_LOOKUP, AmplitudeState, get_state
from headwater.sandbox.amplitude.summary import user_data

MAX_ACTIVITY = 1000
LOOKUP_LIMIT = "usersearch/useractivity (360 per hour per project)"


def _search(state: AmplitudeState, term: str) -> tuple[str, list[UserRecord]]:
    directory = state.store.directory
    number = as_int(term) if term.isdigit() else None
    if number is not None and (record := directory.by_amplitude_id(number)) is not None:
        return "match_amplitude_id", [record]
    exact = directory.by_user_id(term)
    device = directory.by_device_id(term)
    if device is not None and device not in exact:
        exact.append(device)
    if exact:
        return "match_user_or_device_id", exact
    prefixed = directory.by_user_prefix(term) if term else []
    return ("match_user_prefix", prefixed) if prefixed else ("nomatch", [])


def _spend_lookup(state: AmplitudeState, api_key: str) -> None:
    """Lenient: the shared token bucket. Strict: a sliding hour on the sandbox clock (see SlidingHour)."""
    if not state.strict:
        spend(state.limiter, api_key, USER_LOOKUP, what=LOOKUP_LIMIT)
        return
    if not state.limiter.enabled:
        return
    wait = state.lookup_window.check(api_key, state.clock.now(), state.settings.lookups_per_hour)
    if wait is not None:
        raise too_many(f"Too many requests for {LOOKUP_LIMIT}; the limit was exceeded", wait.total_seconds())


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = as_int(raw)
    if value is None or value < 0:
        raise bad_request(f"{name} must be a non-negative integer")
    return value


def router() -> APIRouter:
    routes = APIRouter()

    @routes.get("/api/2/usersearch")
    def usersearch(
        request: Request, api_key: str = Depends(project_key), state: AmplitudeState = Depends(get_state)
    ) -> dict[str, Any]:
        _spend_lookup(state, api_key)
        term = request.query_params.get("user")
        if term is None:
            raise bad_request("Missing required parameter user")
        kind, records = _search(state, term)
        now = state.clock.now()
        matches = [
            {
                "user_id": record.user_id,
                "amplitude_id": record.amplitude_id,
                "last_device_id": record.last_device_id,
                "last_seen": state.store.last_seen(record, now).isoformat(),
            }
            for record in records
        ]
        return {"matches": matches, "type": kind}

    @routes.get("/api/2/useractivity")
    def useractivity(
        request: Request, api_key: str = Depends(project_key), state: AmplitudeState = Depends(get_state)
    ) -> dict[str, Any]:
        _spend_lookup(state, api_key)
        amplitude_id = as_int(request.query_params.get("user", ""))
        if amplitude_id is None:
            raise bad_request("user must be an Amplitude ID (use usersearch to find it)")
        offset = _int_param(request, "offset", 0)
        limit = min(_int_param(request, "limit", MAX_ACTIVITY), MAX_ACTIVITY)
        direction = request.query_params.get("direction", "latest")
        if direction not in ("latest", "earliest"):
            raise bad_request("direction must be latest or earliest")
        record = state.store.directory.by_amplitude_id(amplitude_id)
        if record is None:
            return {"userData": {}, "events": []}
        rows = state.store.user_rows(record, state.clock.now())
        ordered = rows if direction == "earliest" else rows[::-1]
        merged = state.store.directory.merged_ids(record)
        return {
            "userData": user_data(record, merged, rows),
            "events": [row for _, row in ordered[offset : offset + limit]],
        }

    @routes.get("/v1/userprofile")
    def userprofile(
        request: Request, secret: str = Depends(profile_key), state: AmplitudeState = Depends(get_state)
    ) -> dict[str, Any]:
        spend(state.limiter, secret, PROFILE, what="the profile API (600 per minute)")
        query = request.query_params
        user_id, device_id = query.get("user_id"), query.get("device_id")
        if not user_id and not device_id:
            raise ApiError(400, {"error": "Either user_id or device_id is required"})
        directory = state.store.directory
        found = directory.by_user_id(user_id) if user_id else []
        record = found[0] if found else (directory.by_device_id(device_id) if device_id else None)
        if record is None:
            raise ApiError(400, {"error": "User id and device id not seen before"})
        now = state.clock.now()
        amp_props = {
            "library": LIBRARY,
            "first_used": record.created.date().isoformat(),
            "last_used": state.store.last_seen(record, now).isoformat(),
            **record.properties,
        }
        return {
            "userData": {
                "user_id": record.user_id,
                "device_id": record.last_device_id,
                "recommendations": None,
                "amp_props": amp_props if as_bool(query.get("get_amp_props", False)) else None,
                "cohort_ids": [] if as_bool(query.get("get_cohort_ids", False)) else None,
            }
        }

    return routes
