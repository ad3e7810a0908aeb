"""Session context and summary for language models, and the summary profiles that configure them.

The emulator has no model: a summary is a short, deterministic description of the session.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Depends

from headwater.sandbox.fullstory import errors, wire
from headwater.sandbox.fullstory.auth import admin_key
from headwater.sandbox.fullstory.sessions import resolve_session, visible_events
from headwater.sandbox.fullstory.state import FullStoryState, get_state

router = APIRouter(dependencies=[Depends(admin_key)])


@router.post("/sessions/{session_id}/context")
def session_context(
    session_id: str,
    config_profile: str | None = None,
    body: dict[str, Any] = Depends(wire.json_body),
    state: FullStoryState = Depends(get_state),
) -> dict[str, Any]:
    record, session = resolve_session(state, session_id)
    events = visible_events(state, session)
    limit = (body.get("slice") or {}).get("event_limit") if isinstance(body.get("slice"), dict) else None
    if isinstance(limit, int) and limit > 0:
        events = events[:limit]
    return {
        "session": {"id": f"{record.id}:{session.session_id}", "start_time": wire.rfc3339(session.start)},
        "user": {"id": record.id, "uid": record.uid},
        "events": [
            {
                "time": wire.rfc3339(event.time),
                "type": event.kind,
                "page": event.page_name,
                "url": event.page_url,
                **({"target": event.target_text} if event.target_text else {}),
                **({"name": event.custom_name} if event.custom_name else {}),
            }
            for event in events
        ],
    }


@router.get("/sessions/{session_id}/summary")
def session_summary(
    session_id: str, config_profile: str | None = None, state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    if config_profile:
        with state.lock:
            if config_profile not in state.visit_profiles:
                raise errors.not_found("summary profile does not exist")
    _, session = resolve_session(state, session_id)
    events = visible_events(state, session)
    pages = list(dict.fromkeys(event.page_name for event in events))
    kinds = Counter(event.kind for event in events)
    text = (
        f"The visitor viewed {len(pages)} page(s) ({', '.join(pages)}), clicked {kinds['click']} time(s) "
        f"and triggered {kinds['custom']} custom event(s)."
    )
    return {"summary": text}


@router.post("/visit_profile")
def create_profile(
    body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    profile_id = body.get("id")
    if not isinstance(profile_id, str) or not profile_id:
        raise errors.required("id")
    profile = {"id": profile_id, "configuration": body.get("configuration") or {}}
    with state.lock:
        state.visit_profiles[profile_id] = profile
    return profile


@router.get("/visit_profile")
def list_profiles(state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        return {"profiles": list(state.visit_profiles.values())}


@router.get("/visit_profile/{profile_id}")
def get_profile(profile_id: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        return _find(state, profile_id)


@router.post("/visit_profile/{profile_id}")
def update_profile(
    profile_id: str,
    body: dict[str, Any] = Depends(wire.json_body),
    state: FullStoryState = Depends(get_state),
) -> dict[str, Any]:
    with state.lock:
        profile = _find(state, profile_id)
        if isinstance(body.get("configuration"), dict):
            profile["configuration"] = body["configuration"]
        return profile


@router.delete("/visit_profile/{profile_id}")
def delete_profile(profile_id: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        _find(state, profile_id)
        del state.visit_profiles[profile_id]
    return {}


def _find(state: FullStoryState, profile_id: str) -> dict[str, Any]:
    profile = state.visit_profiles.get(profile_id)
    if profile is None:
        raise errors.not_found("summary profile does not exist")
    return profile
