"""v1 Users (still called by older integrations): get, delete (an operation), customvars, customevent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from headwater.sandbox.fullstory import errors, userdata, wire
from headwater.sandbox.fullstory.auth import admin_key, any_key
from headwater.sandbox.fullstory.events import ingest_event
from headwater.sandbox.fullstory.operations import DELETE_USER, Operation
from headwater.sandbox.fullstory.rows import custom_vars
from headwater.sandbox.fullstory.state import FullStoryState, get_state
from headwater.sandbox.fullstory.store import UserRecord

TYPE_SUFFIXES = ("_strs", "_ints", "_reals", "_dates", "_bools", "_str", "_int", "_real", "_date", "_bool")

router = APIRouter(prefix="/users/v1/individual")


def _user(state: FullStoryState, uid: str, *, allow_deleting: bool = False) -> UserRecord:
    record = state.users.by_uid(uid)
    if record is None or (record.being_deleted and not allow_deleting):
        raise errors.FullStoryError(404, "user_not_found", "user not found")
    return record


@router.get("/{uid}", dependencies=[Depends(admin_key)])
def get_individual(uid: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        record = _user(state, uid, allow_deleting=True)
        if record.being_deleted:  # documented for v1, so shown from the request on even in strict mode
            operation = state.operations.get(record.delete_operation_id)
            return {"uid": uid, "existingOperation": operation.to_json() if operation else None}
        now = state.clock.now()
        sessions = [] if record.person_index is None else state.world.sessions(record.person_index)
        started = [session for session in sessions if session.start <= now]
        body: dict[str, Any] = {
            "uid": record.uid,
            "displayName": record.display_name,
            "email": record.email,
            "numSessions": str(len(started)),
            "customVars": {
                name.removeprefix("user_"): value
                for name, value in custom_vars("user", record.properties).items()
            },
        }
        if started:
            body["firstSeen"] = wire.rfc3339(started[0].start)
            body["lastSeen"] = wire.rfc3339(max(session.end for session in started))
        return body


@router.delete("/{uid}", dependencies=[Depends(admin_key)])
def delete_individual(uid: str, state: FullStoryState = Depends(get_state)) -> dict[str, str]:
    """Starts a DELETE_USER operation; the user is purged when it completes."""
    with state.lock:
        record = _user(state, uid, allow_deleting=True)
        if record.delete_operation_id:
            return {"id": record.delete_operation_id}

        def purge(operation: Operation) -> None:
            state.users.purge(record)

        operation = state.operations.start(DELETE_USER, {"uid": uid}, on_complete=purge)
        record = state.users.request_delete(record, operation.id)
        if state.options.strict and record.deletion_requested is not None:
            # Strict: the operation is the documented way to follow a deletion (developer.fullstory.com
            # server/v1/users delete-individual, then /operations/v1/{id}; real-behaviour.md "Users v2"),
            # and it completes only when the user is really gone, however often it is polled.
            operation.ready_at = record.deletion_requested + state.users.purge_after
        return {"id": operation.id}


@router.post("/{uid}/customvars", dependencies=[Depends(any_key)])
def set_custom_vars(
    uid: str, body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    with state.lock:
        record = _user(state, uid)
        request: dict[str, Any] = {"properties": {}}
        for key, value in body.items():
            if key in ("displayName", "email"):
                request["display_name" if key == "displayName" else "email"] = value
            elif key != "uid":
                request["properties"][_strip_suffix(key)] = value
        userdata.upsert(state, request, target=record)
    return {}


@router.post("/{uid}/customevent", dependencies=[Depends(any_key)])
def set_custom_event(
    uid: str, body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    event = body.get("event")
    if not isinstance(event, dict):
        raise errors.required("event")
    if sum(key in event for key in ("session_url", "use_recent_session", "device_session")) > 1:
        raise errors.invalid("only one of session_url, use_recent_session and device_session may be set")
    data = event.get("event_data") or {}
    if not isinstance(data, dict):
        raise errors.invalid("event_data must be an object")
    with state.lock:
        record = _user(state, uid)
        request: dict[str, Any] = {
            "name": event.get("event_name"),
            "timestamp": event.get("timestamp"),
            "properties": {_strip_suffix(key): value for key, value in data.items()},
            "user": {"id": record.id},
        }
        if "use_recent_session" in event:
            # FullStory treats use_recent_session=false as true; the emulator does the same.
            request["session"] = {"use_most_recent": True}
        ingest_event(state, request)
    return {}


def _strip_suffix(name: str) -> str:
    for suffix in TYPE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
