"""User Privacy API v1: schedule, list and edit deletion jobs (``/api/2/deletions/users``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request

from headwater.sandbox.amplitude.auth import project_key
from headwater.sandbox.amplitude.bodies import read_params
from headwater.sandbox.amplitude.directory import UserRecord
from headwater.sandbox.amplitude.errors import ApiError, bad_request
from headwater.sandbox.amplitude.jobs import JobEntry
from headwater.sandbox.amplitude.limits import spend
from headwater.sandbox.amplitude.params import BadParam, as_bool, as_int, documented_bool, parse_day
from headwater.sandbox.amplitude.state import DELETIONS, AmplitudeState, get_state

MAX_IDS = 100
MAX_RANGE = timedelta(days=183)
PATH = "/api/2/deletions/users"


def _id_list(params: dict[str, Any], name: str, *, strict: bool = False) -> list[Any]:
    """The ids under ``name``; strict mode takes only the documented types, an array of int64
    ``amplitude_ids`` or of string ``user_ids`` (shared/api/amplitude.md §1.2), not a bare value."""
    value = params.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        if strict and not all(_documented_id(name, item) for item in value):
            kind = "integers" if name == "amplitude_ids" else "strings"
            raise bad_request(f"{name} must be an array of {kind}")
        return value
    if not strict and isinstance(value, str | int) and not isinstance(value, bool):
        return [value]
    raise bad_request(f"{name} must be an array")


def _documented_id(name: str, item: Any) -> bool:
    if name == "amplitude_ids":
        return isinstance(item, int) and not isinstance(item, bool)
    return isinstance(item, str)


def _flag(state: AmplitudeState, params: dict[str, Any], name: str) -> bool:
    if not state.strict:
        return as_bool(params.get(name, False))
    try:
        return documented_bool(params.get(name, False), name)
    except BadParam as exc:
        raise bad_request(str(exc)) from None


def _ignore_invalid(state: AmplitudeState, params: dict[str, Any]) -> bool:
    """Whether unknown ids are skipped rather than failing the whole request.

    The docs' parameter table spells it ``ignore_invalid_id`` and their prose and examples
    ``ignore_invalid_ids`` (amplitude.com/docs/apis/analytics/user-privacy; shared/api/amplitude.md §1.2
    "Name drift"; shared/api/real-behaviour.md, "Deletions"), so either spelling is honoured. The docs are
    silent on a request that gives both with different values: strict mode takes the harsher reading,
    where ids are ignored only when every spelling given says true (the documented default is false).
    """
    names = ("ignore_invalid_id", "ignore_invalid_ids")
    if not state.strict:
        return any(as_bool(params.get(name, False)) for name in names)
    given = [_flag(state, params, name) for name in names if name in params]
    return bool(given) and all(given)


def _records(state: AmplitudeState, kind: str, raw: Any) -> list[UserRecord]:
    """The users one requested id stands for; a user_id may stand for several amplitude_ids."""
    directory = state.store.directory
    if kind == "amplitude_ids":
        amplitude_id = as_int(raw)
        found = directory.by_amplitude_id(amplitude_id) if amplitude_id is not None else None
        return [found] if found is not None else []
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return directory.by_user_id(str(raw))
    return []


def _resolve(state: AmplitudeState, params: dict[str, Any], today: date) -> tuple[list[JobEntry], list[Any]]:
    """Valid job entries (each amplitude_id once) and the raw values that matched no user."""
    requester = params.get("requester")
    requester = str(requester) if requester is not None else None
    entries: dict[int, JobEntry] = {}
    invalid: list[Any] = []
    for kind in ("amplitude_ids", "user_ids"):
        for raw in _id_list(params, kind, strict=state.strict):
            records = _records(state, kind, raw)
            if not records:
                invalid.append(raw)
            for record in records:
                entry = JobEntry(record.amplitude_id, today, requester, record.user_id)
                entries.setdefault(record.amplitude_id, entry)
    return list(entries.values()), invalid


def _schedule(state: AmplitudeState, params: dict[str, Any]) -> Any:
    total = sum(len(_id_list(params, kind, strict=state.strict)) for kind in ("amplitude_ids", "user_ids"))
    if total == 0:
        raise bad_request("Request must contain amplitude_ids or user_ids")
    if total > MAX_IDS:
        raise bad_request(f"Too many ids: at most {MAX_IDS} amplitude_ids and user_ids per request")
    # delete_from_org forces ignore_invalid_id on, as documented
    ignore = _flag(state, params, "delete_from_org") or _ignore_invalid(state, params)
    with_user_ids = _flag(state, params, "include_mapped_user_ids")
    today = state.clock.today()
    app = state.settings.app_id
    entries, invalid = _resolve(state, params, today)
    if invalid and not ignore:
        raise ApiError(400, {"error": f"Invalid amplitude/user ids for app {app}", "invalid_ids": invalid})
    if not entries:
        return {" message": f"Nothing scheduled due to invalid amplitude/user ids for app {app}"}
    job = state.jobs.schedule(entries, today, state.settings.deletion_delay_days)
    body = job.as_json(app, today, with_user_ids=with_user_ids)
    if invalid:
        body["invalid_ids"] = invalid
    return [body]


def router() -> APIRouter:
    routes = APIRouter()

    @routes.post(PATH)
    async def request_deletion(
        request: Request, api_key: str = Depends(project_key), state: AmplitudeState = Depends(get_state)
    ) -> Any:
        spend(state.limiter, api_key, DELETIONS, what="the deletion API (1 request per second)")
        with state.deletion_gate.slot(state.options.rate_limits):
            return _schedule(state, await read_params(request, json_only=state.strict))

    @routes.get(PATH)
    def list_deletions(
        request: Request, api_key: str = Depends(project_key), state: AmplitudeState = Depends(get_state)
    ) -> list[dict[str, Any]]:
        spend(state.limiter, api_key, DELETIONS, what="the deletion API (1 request per second)")
        try:
            start = parse_day(request.query_params.get("start_day"), "start_day")
            end = parse_day(request.query_params.get("end_day"), "end_day")
        except BadParam as exc:
            raise bad_request(str(exc)) from None
        if start > end:
            raise bad_request("start_day must not be after end_day")
        if end - start > MAX_RANGE:
            raise bad_request("The range from start_day to end_day may span at most 6 months")
        today = state.clock.today()
        return [job.as_json(state.settings.app_id, today) for job in state.jobs.between(start, end)]

    @routes.delete(PATH + "/{amplitude_id}/{day}")
    def remove_from_job(
        amplitude_id: str,
        day: str,
        api_key: str = Depends(project_key),
        state: AmplitudeState = Depends(get_state),
    ) -> dict[str, Any]:
        spend(state.limiter, api_key, DELETIONS, what="the deletion API (1 request per second)")
        number = as_int(amplitude_id)
        if number is None:
            raise bad_request("Only an Amplitude ID (an integer) can be removed from a deletion job")
        try:
            job_day = parse_day(day, "day")
            return state.jobs.remove(number, job_day, state.clock.today()).as_json()
        except (BadParam, LookupError) as exc:
            raise bad_request(str(exc.args[0])) from None

    return routes
