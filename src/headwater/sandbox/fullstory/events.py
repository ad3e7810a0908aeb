"""v2 Events and Annotations: server-side custom events and timeline annotations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from headwater.sandbox.fullstory import errors, userdata, wire
from headwater.sandbox.fullstory.auth import any_key
from headwater.sandbox.fullstory.idempotency import once
from headwater.sandbox.fullstory.ingest import IngestedEvent
from headwater.sandbox.fullstory.state import FullStoryState, get_state
from headwater.sandbox.fullstory.store import UserRecord

RECENT_SESSION_WINDOW = timedelta(minutes=30)

router = APIRouter()


@router.post("/events", dependencies=[Depends(any_key)])
def create_event(
    request: Request,
    body: dict[str, Any] = Depends(wire.json_body),
    state: FullStoryState = Depends(get_state),
) -> JSONResponse:
    def run() -> tuple[int, Any]:
        ingest_event(state, body)
        return 200, {}

    return once(state, request, run)


@router.post("/annotations", dependencies=[Depends(any_key)])
def create_annotation(
    body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    text, source = body.get("text"), body.get("source", "")
    if not isinstance(text, str) or not text:
        raise errors.invalid("text is required")
    if len(text) > 200:
        raise errors.invalid("text must be at most 200 characters")
    if not isinstance(source, str) or len(source) > 40:
        raise errors.invalid("source must be a string of at most 40 characters")
    start = wire.optional_time(body.get("start_time"), "start_time") or state.clock.now()
    end = wire.optional_time(body.get("end_time"), "end_time") or start
    if end < start:
        raise errors.invalid("end_time must be after start_time")
    annotation = {"text": text, "start_time": wire.rfc3339(start), "end_time": wire.rfc3339(end)}
    if source:
        annotation["source"] = source
    with state.lock:
        state.annotations.append(annotation)
    return annotation


def ingest_event(
    state: FullStoryState, body: dict[str, Any], shared: dict[str, Any] | None = None
) -> IngestedEvent:
    """Validate and store one CreateEventRequest; caller may or may not hold the lock (it is re-entrant)."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise errors.required("name")
    properties = body.get("properties") or {}
    if not isinstance(properties, dict):
        raise errors.invalid("properties must be an object")
    userdata.check_property_names(properties)
    context = body.get("context")
    if shared and shared.get("context") and context:
        raise errors.invalid("context cannot be set on an event when shared.context is set")
    context = context or (shared or {}).get("context") or {}
    if not isinstance(context, dict):
        raise errors.invalid("context must be an object")
    with state.lock:
        moment = wire.optional_time(body.get("timestamp"), "timestamp") or state.clock.now()
        record, session_id = _attach(state, body, moment)
        return state.ingested.add(
            user_id=record.id if record else "",
            time=moment.replace(microsecond=moment.microsecond // 1000 * 1000),
            name=name,
            properties=properties,
            context=context,
            session_id=session_id,
        )


def _attach(state: FullStoryState, body: dict[str, Any], moment: Any) -> tuple[UserRecord | None, int]:
    user, session = body.get("user") or {}, body.get("session") or {}
    if not isinstance(user, dict) or not isinstance(session, dict):
        raise errors.invalid("user and session must be objects")
    if session.get("id"):
        if user:
            raise errors.invalid("user cannot be set when session.id is set")
        user_part, _, session_part = str(session["id"]).partition(":")
        record = state.users.get(user_part)
        if record is None or not session_part.isdigit():
            raise errors.not_found("session does not exist")
        return record, int(session_part)
    record = _resolve_user(state, user)
    if session.get("use_most_recent"):
        if record is None:
            raise errors.required("user")
        return record, _recent_session(state, record, moment)
    return record, 0


def _resolve_user(state: FullStoryState, user: dict[str, Any]) -> UserRecord | None:
    if user.get("id"):
        record = state.users.get(str(user["id"]))
        if record is None or record.being_deleted:
            raise errors.FullStoryError(404, "user_not_found", "User with that ID does not exist")
        return record
    if user.get("uid"):
        return userdata.upsert(state, {"uid": str(user["uid"])})
    return None


def _recent_session(state: FullStoryState, record: UserRecord, moment: Any) -> int:
    """The user's session active within 30 minutes of the event, else 0 (stored without a session)."""
    if record.person_index is None:
        return 0
    for session in reversed(state.world.sessions(record.person_index)):
        if (
            session.start <= moment <= session.end + RECENT_SESSION_WINDOW
            and session.start <= state.clock.now()
        ):
            return session.session_id
    return 0
