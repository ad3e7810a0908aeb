"""Ingestion: HTTP V2 (``/2/httpapi``), Batch (``/batch``) and Identify (``/identify``).

Ingested events become export rows straight away, so usersearch, useractivity, export and DSAR see them.
The api_key alone authenticates (ingestion is write-only).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from headwater.sandbox.amplitude import props
from headwater.sandbox.amplitude.auth import ingest_key_valid
from headwater.sandbox.amplitude.errors import ApiError
from headwater.sandbox.amplitude.rows import ingested_row, to_ms
from headwater.sandbox.amplitude.state import AmplitudeState, get_state
from headwater.sandbox.amplitude.store import StoredEvent
from headwater.sandbox.amplitude.validate import (
    check_events,
    ingest_error,
    min_id_length,
    parse_body,
    usable_id,
)

HTTPAPI_MAX_BYTES = 1024 * 1024
BATCH_MAX_BYTES = 20 * 1024 * 1024


def _check_key(state: AmplitudeState, api_key: Any) -> None:
    if api_key is None or api_key == "":
        raise ingest_error(400, "Request missing required field", missing_field="api_key")
    if not ingest_key_valid(state, api_key):
        raise ingest_error(400, "Invalid API key")


def _caller_ip(request: Request) -> str | None:
    return request.client.host if request.client is not None else None


def _ingest(state: AmplitudeState, events: list[dict[str, Any]], caller_ip: str | None, path: str) -> None:
    now = state.clock.now()
    store = state.store
    stored: list[StoredEvent] = []
    with store.directory.lock:
        for event in events:
            if event["device_id"] is None:
                event["device_id"] = hashlib.sha256(event["user_id"].encode()).hexdigest()[:32]
            insert_id = event.get("insert_id")
            if isinstance(insert_id, str) and store.is_duplicate(event["device_id"], insert_id, now):
                continue
            record = store.directory.resolve(event["user_id"], event["device_id"], now)
            update = event.get("user_properties")
            if update and not event.get("$skip_user_properties_sync"):
                record.properties = props.apply(record.properties, update)
            ip = event.get("ip")
            ip = caller_ip if ip in (None, "$remote") else str(ip)
            event_time, row = ingested_row(state.settings.app_id, record, event, upload=now, ip=ip, path=path)
            stored.append(StoredEvent(record.amplitude_id, now, event_time, row))
    store.add(stored)


async def _upload(request: Request, state: AmplitudeState, max_bytes: int) -> JSONResponse:
    raw = await request.body()
    body = parse_body(raw, max_bytes)
    _check_key(state, body.get("api_key"))
    events = check_events(body)
    _ingest(state, events, _caller_ip(request), request.url.path)
    return JSONResponse(
        {
            "code": 200,
            "events_ingested": len(events),
            "payload_size_bytes": len(raw),
            "server_upload_time": to_ms(state.clock.now()),
        }
    )


def _json_or_none(raw: Any) -> Any:
    try:
        return json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _identifications(raw: Any, shortest: int) -> list[dict[str, Any]]:
    """The ``identification`` field as a list of objects with a usable id; ``missing_event`` otherwise."""
    parsed = _json_or_none(raw)
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items or not all(isinstance(item, dict) for item in items):
        raise ApiError(400, "missing_event")
    for item in items:
        item["user_id"] = usable_id(item.get("user_id"), shortest)
        item["device_id"] = usable_id(item.get("device_id"), shortest)
        update = item.get("user_properties")
        if item["user_id"] is None and item["device_id"] is None:
            raise ApiError(400, "missing_event")
        if update is not None and (not isinstance(update, dict) or props.mixes_operations(update)):
            raise ApiError(400, "invalid_user_properties")
    return items


def router() -> APIRouter:
    routes = APIRouter()

    @routes.post("/2/httpapi")
    async def http_v2(request: Request, state: AmplitudeState = Depends(get_state)) -> JSONResponse:
        return await _upload(request, state, HTTPAPI_MAX_BYTES)

    @routes.post("/batch")
    async def batch(request: Request, state: AmplitudeState = Depends(get_state)) -> JSONResponse:
        return await _upload(request, state, BATCH_MAX_BYTES)

    @routes.api_route("/identify", methods=["GET", "POST"])
    async def identify(request: Request, state: AmplitudeState = Depends(get_state)) -> PlainTextResponse:
        fields: Any = await request.form() if request.method == "POST" else request.query_params
        _check_key(state, fields.get("api_key"))
        shortest = min_id_length({"options": _json_or_none(fields.get("options"))})
        now = state.clock.now()
        directory = state.store.directory
        with directory.lock:
            for item in _identifications(fields.get("identification"), shortest):
                record = directory.resolve(item["user_id"], item["device_id"], now)
                if item.get("user_properties"):
                    record.properties = props.apply(record.properties, item["user_properties"])
        return PlainTextResponse("success")

    return routes
