"""Validation of HTTP V2 / Batch uploads, with Amplitude's documented 400 and 413 bodies.

The whole request is checked before anything is stored, so a 400 never ingests part of a batch.
"""

from __future__ import annotations

import json
from typing import Any

from headwater.sandbox.amplitude import props
from headwater.sandbox.amplitude.errors import ApiError

MAX_EVENTS = 2000
MAX_STRING = 1024
DEFAULT_MIN_ID_LENGTH = 5
OBJECT_FIELDS = ("event_properties", "user_properties", "groups", "group_properties", "plan")
PLACEHOLDER_IDS = frozenset(
    {
        "anonymous",
        "nil",
        "none",
        "null",
        "n/a",
        "na",
        "undefined",
        "unknown",
        "00000000-0000-0000-0000-000000000000",
        "0",
        "-1",
        "{}",
        "lmy47d",
        '""',
        "''",
    }
)


def ingest_error(status: int, message: str, **extra: Any) -> ApiError:
    return ApiError(status, {"code": status, "error": message, **extra})


def parse_body(raw: bytes, max_bytes: int) -> dict[str, Any]:
    if not raw.strip():
        raise ingest_error(400, "Missing request body")
    if len(raw) > max_bytes:
        raise ingest_error(413, "Payload too large")
    try:
        body = json.loads(raw)
    except ValueError:
        raise ingest_error(400, "Invalid JSON request body") from None
    if not isinstance(body, dict):
        raise ingest_error(400, "Invalid JSON request body")
    return body


def min_id_length(body: dict[str, Any]) -> int:
    options = body.get("options")
    value = options.get("min_id_length") if isinstance(options, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return DEFAULT_MIN_ID_LENGTH


def clip(value: Any) -> Any:
    """Strings longer than 1024 characters are cut, inside objects and arrays too."""
    if isinstance(value, str):
        return value[:MAX_STRING]
    if isinstance(value, dict):
        return {key: clip(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clip(item) for item in value]
    return value


def usable_id(value: Any, shortest: int) -> str | None:
    """The id if it is long enough; too-short ids are dropped, as Amplitude does."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) < shortest:
        return None
    return value


def check_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's events with too-short ids removed; raises the documented 400/413 otherwise."""
    events = body.get("events")
    if events is None:
        raise ingest_error(400, "Request missing required field", missing_field="events")
    if not isinstance(events, list) or not all(isinstance(event, dict) for event in events):
        raise ingest_error(400, "Invalid event JSON")
    if len(events) > MAX_EVENTS:
        raise ingest_error(413, "Payload too large")
    shortest = min_id_length(body)
    missing: dict[str, list[int]] = {}
    invalid: dict[str, list[int]] = {}
    cleaned: list[dict[str, Any]] = []
    for index, original in enumerate(events):
        event = clip(original)
        for field in ("user_id", "device_id"):
            raw = event.get(field)
            if isinstance(raw, str) and raw.strip().lower() in PLACEHOLDER_IDS:
                invalid.setdefault(field, []).append(index)
            event[field] = usable_id(raw, shortest)
        if not isinstance(event.get("event_type"), str) or not event["event_type"]:
            missing.setdefault("event_type", []).append(index)
        if event["user_id"] is None and event["device_id"] is None:
            missing.setdefault("user_id", []).append(index)
        moment = event.get("time")
        if moment is not None and (not isinstance(moment, int) or isinstance(moment, bool) or moment < 0):
            invalid.setdefault("time", []).append(index)
        for field in OBJECT_FIELDS:
            if event.get(field) is not None and not isinstance(event[field], dict):
                invalid.setdefault(field, []).append(index)
        if isinstance(event.get("user_properties"), dict) and props.mixes_operations(
            event["user_properties"]
        ):
            invalid.setdefault("user_properties", []).append(index)
        cleaned.append(event)
    if missing:
        first = next(iter(missing))
        raise ingest_error(
            400, "Request missing required field", missing_field=first, events_with_missing_fields=missing
        )
    if invalid:
        raise ingest_error(400, "Invalid field values on some events", events_with_invalid_fields=invalid)
    return cleaned
