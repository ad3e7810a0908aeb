"""Webhook endpoints: an in-memory CRUD so clients that manage webhooks have something to talk to."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Depends

from headwater.sandbox.fullstory import errors, wire
from headwater.sandbox.fullstory.auth import admin_key
from headwater.sandbox.fullstory.state import FullStoryState, get_state

EVENT_TYPES = (
    {"eventName": "recording.event.custom", "displayName": "Custom Event", "hasSubcategories": True},
    {"eventName": "segment.trend.alert", "displayName": "Segment Trend Alert", "hasSubcategories": True},
    {"eventName": "note.created", "displayName": "Note Created", "hasSubcategories": False},
)

router = APIRouter(prefix="/webhooks/v1", dependencies=[Depends(admin_key)])


@router.get("/event-types")
def list_event_types() -> dict[str, Any]:
    return {"eventTypes": list(EVENT_TYPES)}


@router.get("/endpoints")
def list_endpoints(state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        return {"endpoints": [_public(endpoint) for endpoint in state.webhooks.values()]}


@router.post("/endpoints")
def create_endpoint(
    body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise errors.required("url")
    now = wire.rfc3339(state.clock.now())
    endpoint = {
        "id": _endpoint_id(url),
        "created": now,
        "modified": now,
        "enabled": True,
        "url": url,
        "event_types": body.get("event_types") or [],
        "secret": body.get("secret", ""),
    }
    with state.lock:
        state.webhooks[endpoint["id"]] = endpoint
    return _public(endpoint)


@router.get("/endpoints/{endpoint_id}")
def get_endpoint(endpoint_id: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        return _public(_find(state, endpoint_id))


@router.api_route("/endpoints/{endpoint_id}", methods=["POST", "PUT", "PATCH"])
def update_endpoint(
    endpoint_id: str,
    body: dict[str, Any] = Depends(wire.json_body),
    state: FullStoryState = Depends(get_state),
) -> dict[str, Any]:
    """Changing the URL changes the id, as FullStory documents."""
    with state.lock:
        endpoint = dict(_find(state, endpoint_id))
        if "disabled" in body:
            endpoint["enabled"] = not bool(body["disabled"])
        for key in ("event_types", "secret", "url"):
            if key in body:
                endpoint[key] = body[key]
        endpoint["modified"] = wire.rfc3339(state.clock.now())
        if endpoint["url"] != state.webhooks[endpoint_id]["url"]:
            del state.webhooks[endpoint_id]
            endpoint["id"] = _endpoint_id(endpoint["url"])
        state.webhooks[endpoint["id"]] = endpoint
        return _public(endpoint)


@router.delete("/endpoints/{endpoint_id}")
def delete_endpoint(endpoint_id: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        _find(state, endpoint_id)
        del state.webhooks[endpoint_id]
    return {}


def _find(state: FullStoryState, endpoint_id: str) -> dict[str, Any]:
    endpoint = state.webhooks.get(endpoint_id)
    if endpoint is None:
        raise errors.not_found("webhook endpoint does not exist")
    return endpoint


def _endpoint_id(url: str) -> str:
    return "wh-" + hashlib.sha256(url.encode()).hexdigest()[:16]


def _public(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in endpoint.items() if key != "secret"}
