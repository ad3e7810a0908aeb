"""Export rows for the World's generated events: a pure function of the event and its person.

A seeded event is "uploaded" 50-2000 ms after it happened, but never past the end of its hour, so a stream
ordered by event time is also ordered by upload hour (what export groups by). Per-user fields are built
once per user and copied, which keeps a million-row export cheap.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from headwater.sandbox.amplitude.directory import UserRecord
from headwater.sandbox.amplitude.rows import base_row
from headwater.sandbox.world import Event

SEEDED_PATH = "/2/httpapi"
EVENT_TYPES = {
    "navigate": "[Amplitude] Page Viewed",
    "load": "[Amplitude] Page Viewed",
    "click": "[Amplitude] Element Clicked",
    "change": "[Amplitude] Element Changed",
}
SEPARATORS = (",", ":")
PER_EVENT = frozenset(
    {
        "event_type",
        "event_id",
        "uuid",
        "$insert_id",
        "session_id",
        "event_time",
        "client_event_time",
        "client_upload_time",
        "server_received_time",
        "server_upload_time",
        "processed_time",
        "event_properties",
        "ip_address",
        "os_name",
        "device_family",
        "device_type",
    }
)
HOUR_US = 3_600_000_000
PROCESSING_US = 900_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))


def event_type(event: Event) -> str:
    if event.kind == "custom":
        return event.custom_name or "custom"
    return EVENT_TYPES.get(event.kind, event.kind)


def _path(url: str) -> str:
    rest = url.partition("://")[2] or url
    slash = rest.find("/")
    return rest[slash:].split("?", 1)[0].split("#", 1)[0] if slash >= 0 else "/"


def event_properties(event: Event) -> dict[str, Any]:
    """Autocapture-style names (what Amplitude's browser SDK sends) plus the event's own properties."""
    props: dict[str, Any] = {
        "[Amplitude] Page URL": event.page_url,
        "[Amplitude] Page Path": _path(event.page_url),
        "[Amplitude] Page Title": event.page_name,
    }
    if event.kind in ("navigate", "load"):
        props["referrer"] = event.referrer
        props["[Amplitude] Page Duration"] = event.page_duration_ms
    elif event.kind in ("click", "change"):
        props["[Amplitude] Element Text"] = event.target_text
        props["[Amplitude] Element Selector"] = event.target_selector
    props.update(event.properties)
    return props


def _lat_lng(lat_long: str) -> tuple[float | None, float | None]:
    lat, _, lng = lat_long.partition(",")
    try:
        return float(lat), float(lng)
    except ValueError:
        return None, None


def upload_us(event_us: int, delay_ms: int) -> int:
    """Upload a little after the event, clamped to the event's own hour (epoch microseconds)."""
    return min(event_us + delay_ms * 1000, (event_us // HOUR_US + 1) * HOUR_US - 1)


class _Stamps:
    """Row timestamps from epoch microseconds; the date-and-hour text is made once per hour."""

    def __init__(self) -> None:
        self._hours: dict[int, tuple[str, datetime]] = {}

    def hour(self, us: int) -> tuple[str, datetime]:
        number = us // HOUR_US
        known = self._hours.get(number)
        if known is None:
            start = EPOCH + timedelta(microseconds=number * HOUR_US)
            known = self._hours[number] = (start.strftime("%Y-%m-%d %H:"), start)
        return known

    def text(self, us: int) -> str:
        """``YYYY-MM-DD HH:MM:SS.ffffff``, assembled from cached pieces (this runs three times a row)."""
        rest = us % HOUR_US
        minute, second = TWO_DIGITS[rest // 60_000_000], TWO_DIGITS[rest // 1_000_000 % 60]
        return self.hour(us)[0] + minute + ":" + second + "." + str(1_000_000 + rest % 1_000_000)[1:]


def _uuid(hex32: str) -> str:
    """A version-4-shaped UUID string from 32 hex digits."""
    variant = "89ab"[int(hex32[16], 16) & 3]
    return f"{hex32[:8]}-{hex32[8:12]}-4{hex32[13:16]}-{variant}{hex32[17:20]}-{hex32[20:32]}"


@dataclass(frozen=True)
class _Template:
    """A user's constant fields, also as JSON text without its opening brace (to append to a line)."""

    fields: dict[str, Any]
    tail: str


class SeededRows:
    """Makes seeded rows and NDJSON lines, caching each user's constant fields by (app, amplitude_id)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._templates: dict[tuple[int, int], _Template] = {}
        self._stamps = _Stamps()

    def _template(self, app_id: int, user: UserRecord, event: Event) -> _Template:
        key = (app_id, user.amplitude_id)
        template = self._templates.get(key)
        if template is None:
            fields = base_row(app_id, user, user.seed_properties)
            lat, lng = _lat_lng(event.lat_long)
            fields.update(
                {
                    "device_id": user.device_ids[0] if user.device_ids else None,
                    "platform": "Web",
                    "location_lat": lat,
                    "location_lng": lng,
                    "data": {"path": SEEDED_PATH, "user_properties_updated": False, "group_ids": {}},
                }
            )
            constant = {name: value for name, value in fields.items() if name not in PER_EVENT}
            template = _Template(constant, json.dumps(constant, separators=SEPARATORS)[1:])
            with self._lock:
                self._templates[key] = template
        return template

    def _event_fields(self, user: UserRecord, event: Event) -> tuple[datetime, dict[str, Any]]:
        event_us = round(event.time.timestamp() * 1_000_000)
        key = f"{user.amplitude_id}|{event.session_id}|{event.page_id}|{event_us}|{event.kind}|"
        digest = hashlib.blake2b((key + event.target_selector).encode(), digest_size=24).hexdigest()
        upload = upload_us(event_us, 50 + int(digest[32:36], 16) % 1950)
        stamps = self._stamps
        event_time, uploaded = stamps.text(event_us), stamps.text(upload)
        fields = {
            "event_type": event_type(event),
            "event_id": int(digest[36:42], 16),
            "uuid": _uuid(digest[:32]),
            "$insert_id": digest[:32],
            "session_id": event.session_id,
            "event_time": event_time,
            "client_event_time": event_time,
            "client_upload_time": uploaded,
            "server_received_time": uploaded,
            "server_upload_time": uploaded,
            "processed_time": stamps.text(upload + PROCESSING_US),
            "event_properties": event_properties(event),
            "ip_address": event.ip,
            "os_name": event.browser,
            "device_family": event.os,
            "device_type": event.device,
        }
        return stamps.hour(upload)[1], fields

    def row(self, app_id: int, user: UserRecord, event: Event) -> tuple[datetime, dict[str, Any]]:
        """(hour of server_upload_time, export row) for one World event."""
        hour, fields = self._event_fields(user, event)
        return hour, {**self._template(app_id, user, event).fields, **fields}

    def line(self, app_id: int, user: UserRecord, event: Event) -> tuple[datetime, str]:
        """The same row as one NDJSON line, serialising only the per-event fields (export's hot path)."""
        hour, fields = self._event_fields(user, event)
        tail = self._template(app_id, user, event).tail
        return hour, json.dumps(fields, separators=SEPARATORS)[:-1] + "," + tail
