"""Export rows: the one JSON shape Amplitude uses for events in export, DSAR files and user activity."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from headwater.sandbox.amplitude.directory import UserRecord

LIBRARY = "amplitude-ts/2.11.0"


def ts(moment: datetime) -> str:
    """Amplitude's row timestamp: ``YYYY-MM-DD HH:MM:SS.ffffff``, UTC, no zone suffix."""
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(sep=" ", timespec="microseconds")[:26]


def from_ms(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def to_ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def base_row(app_id: int, user: UserRecord, props: dict[str, Any]) -> dict[str, Any]:
    """Every key an export row carries, with the user's fields filled and the per-event ones empty."""
    return {
        "app": app_id,
        "amplitude_id": user.amplitude_id,
        "user_id": user.user_id,
        "device_id": user.last_device_id,
        "event_type": None,
        "amplitude_event_type": None,
        "event_id": None,
        "uuid": None,
        "$insert_id": None,
        "$insert_key": None,
        "$schema": None,
        "session_id": -1,
        "event_time": None,
        "client_event_time": None,
        "client_upload_time": None,
        "server_received_time": None,
        "server_upload_time": None,
        "processed_time": None,
        "user_creation_time": ts(user.created),
        "event_properties": {},
        "user_properties": dict(props),
        "global_user_properties": {},
        "group_properties": {},
        "groups": {},
        "data": {},
        "data_type": "event",
        "ip_address": None,
        "city": props.get("city"),
        "region": props.get("region"),
        "country": props.get("country", "United States"),
        "dma": None,
        "location_lat": None,
        "location_lng": None,
        "platform": None,
        "os_name": None,
        "os_version": None,
        "device_type": None,
        "device_family": None,
        "device_brand": None,
        "device_manufacturer": None,
        "device_model": None,
        "device_carrier": None,
        "language": "English",
        "library": LIBRARY,
        "version_name": None,
        "start_version": None,
        "paying": None,
        "amplitude_attribution_ids": None,
        "sample_rate": None,
        "idfa": None,
        "adid": None,
        "is_attribution_event": False,
        "partner_id": None,
        "source_id": None,
        "plan": {},
    }


CLIENT_FIELDS = {
    "app_version": "version_name",
    "platform": "platform",
    "os_name": "os_name",
    "os_version": "os_version",
    "device_brand": "device_brand",
    "device_manufacturer": "device_manufacturer",
    "device_model": "device_model",
    "device_type": "device_type",
    "carrier": "device_carrier",
    "country": "country",
    "region": "region",
    "city": "city",
    "dma": "dma",
    "language": "language",
    "location_lat": "location_lat",
    "location_lng": "location_lng",
    "idfa": "idfa",
    "adid": "adid",
    "start_version": "start_version",
    "paying": "paying",
}
REVENUE_FIELDS = {
    "price": "$price",
    "quantity": "$quantity",
    "revenue": "$revenue",
    "productId": "$productId",
    "revenueType": "$revenueType",
}


def ingested_row(
    app_id: int, user: UserRecord, event: dict[str, Any], *, upload: datetime, ip: str | None, path: str
) -> tuple[datetime, dict[str, Any]]:
    """(event_time, export row) for a validated upload event; the user's properties as of this event."""
    event_time = from_ms(event["time"]) if event.get("time") is not None else upload
    props = dict(event.get("event_properties") or {})
    props.update({target: event[source] for source, target in REVENUE_FIELDS.items() if source in event})
    row = base_row(app_id, user, dict(user.properties))
    row.update({target: event[source] for source, target in CLIENT_FIELDS.items() if source in event})
    row.update(
        {
            "user_id": event.get("user_id"),
            "device_id": event["device_id"],
            "event_type": event["event_type"],
            "event_id": event.get("event_id"),
            "uuid": str(uuid.uuid4()),
            "$insert_id": event.get("insert_id"),
            "session_id": event.get("session_id", -1),
            "event_time": ts(event_time),
            "client_event_time": ts(event_time),
            "client_upload_time": ts(upload),
            "server_received_time": ts(upload),
            "server_upload_time": ts(upload),
            "processed_time": ts(upload),
            "event_properties": props,
            "groups": dict(event.get("groups") or {}),
            "group_properties": dict(event.get("group_properties") or {}),
            "ip_address": ip,
            "library": event.get("library", "http/2.0"),
            "plan": dict(event.get("plan") or {}),
            "data": {
                "path": path,
                "user_properties_updated": bool(event.get("user_properties")),
                "group_ids": {},
            },
        }
    )
    return event_time, row
