"""Sessions: list a user's sessions (``/sessions/v2``) and one session's events (``/v2/sessions/…``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Request

from headwater.sandbox.fullstory import errors, wire
from headwater.sandbox.fullstory.auth import admin_key
from headwater.sandbox.fullstory.ingest import IngestedEvent
from headwater.sandbox.fullstory.state import FullStoryState, get_state
from headwater.sandbox.fullstory.store import UserRecord
from headwater.sandbox.world import Event, Session

router = APIRouter()


@router.get("/sessions/v2", dependencies=[Depends(admin_key)])
def list_sessions(
    request: Request,
    uid: str | None = None,
    email: str | None = None,
    state: FullStoryState = Depends(get_state),
) -> dict[str, Any]:
    """Union of the uid and email matches, newest first, ``limit`` (default 20) sessions."""
    if not uid and not email:
        raise errors.required("uid or email")
    limit = wire.limit_value(request.query_params.get("limit"), default=20, maximum=1000)
    with state.lock:
        records: dict[str, UserRecord] = {}
        if uid and (found := state.users.by_uid(uid)) is not None:
            records[found.id] = found
        for record in state.users.by_email(email) if email else []:
            records[record.id] = record
        visible = [r for r in records.values() if not r.being_deleted and r.person_index is not None]
    now = state.clock.now()
    listed = [
        (session.start, record, session)
        for record in visible
        for session in state.world.sessions(record.person_index or 0)
        if session.start <= now
    ]
    listed.sort(key=lambda item: item[0], reverse=True)
    return {"sessions": [_session_json(state, record, session) for _, record, session in listed[:limit]]}


def _session_json(state: FullStoryState, record: UserRecord, session: Session) -> dict[str, str]:
    return {
        "userId": record.id,
        "sessionId": str(session.session_id),
        "createdTime": str(int(session.start.timestamp())),
        "fsUrl": f"https://app.fullstory.com/ui/{state.org_id}/discover/session/{record.id}:{session.session_id}",
    }


def resolve_session(state: FullStoryState, session_id: str) -> tuple[UserRecord, Session]:
    """``UserId:SessionId`` (colon sent as %3A) to a visible, started session, else 404."""
    if not session_id:
        raise errors.required("session_id")
    user_part, _, session_part = session_id.partition(":")
    with state.lock:
        record = state.users.get(user_part) if user_part.isdigit() else None
    if record is None or record.being_deleted or record.person_index is None or not session_part.isdigit():
        raise errors.not_found("session does not exist")
    session = state.world.session(record.person_index, int(session_part))
    if session is None or session.start > state.clock.now():
        raise errors.not_found("session does not exist")
    return record, session


def visible_events(state: FullStoryState, session: Session) -> list[Event]:
    now = state.clock.now()
    return [event for event in state.world.session_events(session) if event.time <= now]


def session_events(session_id: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    """The recorded events plus custom events sent through the API into this session, in time order."""
    record, session = resolve_session(state, session_id)
    listed = [
        (event.time, _destination_event(record, session, event)) for event in visible_events(state, session)
    ]
    with state.lock:
        sent = [e for e in state.ingested.for_session(session.session_id) if e.user_id == record.id]
    listed += [(event.time, _sent_event(record, session, event)) for event in sent]
    listed.sort(key=lambda item: item[0])
    return {"events": [body for _, body in listed]}


for _prefix in ("/v2", "/v2beta"):
    router.add_api_route(
        f"{_prefix}/sessions/{{session_id}}/events",
        session_events,
        methods=["GET"],
        dependencies=[Depends(admin_key)],
    )


def _destination_event(record: UserRecord, session: Session, event: Event) -> dict[str, Any]:
    """FullStory's "Destinations" event model."""
    parts = urlsplit(event.page_url)
    query = {key: {"values": values} for key, values in parse_qs(parts.query).items()}
    properties: dict[str, Any] = {}
    if event.kind == "navigate":
        properties["navigate_reason"] = "link"
    elif event.kind in ("click", "change"):
        properties |= {"target_text": event.target_text, "target_selector": event.target_selector}
    elif event.kind == "custom":
        properties |= {"event_name": event.custom_name, "properties": event.properties}
    return {
        "device_id": record.id,
        "session_id": f"{record.id}:{session.session_id}",
        "view_id": str(event.page_id),
        "event_time": wire.rfc3339(event.time),
        "event_type": event.kind,
        "event_properties": properties,
        "source_type": "web",
        "source_properties": {
            "user_agent": {
                "raw_user_agent": event.user_agent,
                "device": event.device,
                "operating_system": event.os,
                "browser": event.browser,
                "browser_version": "",
            },
            "url": {"full_url": event.page_url, "host": parts.netloc, "path": parts.path, "query": query},
            "initial_referrer": event.referrer,
        },
    }


def _sent_event(record: UserRecord, session: Session, event: IngestedEvent) -> dict[str, Any]:
    return {
        "device_id": record.id,
        "session_id": f"{record.id}:{session.session_id}",
        "view_id": "",
        "event_time": wire.rfc3339(event.time),
        "event_type": "custom",
        "event_properties": {"event_name": event.name, "properties": event.properties},
        "source_type": "server",
        "source_properties": {},
    }
