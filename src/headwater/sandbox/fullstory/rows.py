"""Exported event rows in FullStory's PascalCase field names, with ``user_*``/``evt_*`` custom vars."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from headwater.sandbox.fullstory.ingest import IngestedEvent
from headwater.sandbox.fullstory.store import UserRecord
from headwater.sandbox.fullstory.userdata import flatten, type_name
from headwater.sandbox.fullstory.wire import rfc3339
from headwater.sandbox.world import Event, Session

Row = dict[str, Any]

SUB_TYPES = {"navigate": "navigate"}
NO_MODIFIERS = {"EventModFrustrated": 0, "EventModDead": 0, "EventModError": 0, "EventModSuspicious": 0}
SCREENS = {"Desktop": (1440, 900, 1440, 789), "Mobile": (390, 844, 390, 664), "": (0, 0, 0, 0)}


def custom_vars(prefix: str, properties: dict[str, Any]) -> Row:
    """``{"plan": "pro"}`` becomes ``{"user_plan_str": "pro"}``: FullStory's typed column names."""
    return {f"{prefix}_{name}_{type_name(value)}": value for name, value in flatten(properties).items()}


def user_columns(record: UserRecord) -> Row:
    """The columns every row of one user repeats; computed once per user per export."""
    fs_id = int(record.id)
    columns: Row = {
        "IndvId": fs_id,
        "UserId": fs_id,
        "UserCreated": rfc3339(record.created),
        "UserAppKey": record.uid,
        "UserDisplayName": record.display_name,
        "UserEmail": record.email,
    }
    columns.update(custom_vars("user", record.properties))
    return _compact(columns)


def page_columns(event: Event, session: Session) -> Row:
    """The columns every event of one page repeats; computed once per page."""
    screen_w, screen_h, view_w, view_h = SCREENS.get(event.device, SCREENS[""])
    return _compact(
        {
            "SessionStart": rfc3339(session.start),
            "PageName": event.page_name,
            "PageStart": rfc3339(event.page_start),
            "PageDuration": event.page_duration_ms,
            "PageActiveDuration": event.page_duration_ms * 7 // 10,
            "PageUrl": event.page_url,
            "PageRefererUrl": event.referrer,
            "PageIp": event.ip,
            "PageLatLong": event.lat_long,
            "PageUserAgent": event.user_agent,
            "PageBrowser": event.browser,
            "PageDevice": event.device,
            "PagePlatform": "Web",
            "PageOperatingSystem": event.os,
            "PageScreenWidth": screen_w,
            "PageScreenHeight": screen_h,
            "PageViewportWidth": view_w,
            "PageViewportHeight": view_h,
            "PageClusterId": event.page_id % 997,
        }
    )


def world_row(event: Event, session: Session, user: Row, page: Row | None = None) -> Row:
    """One World event as a legacy-bundle / segment-export row; empty values are left out."""
    row: Row = {
        "IndvId": user["IndvId"],
        "UserId": user["UserId"],
        "SessionId": event.session_id,
        "PageId": event.page_id,
        "EventStart": rfc3339(event.time),
        "EventType": event.kind,
    }
    if event.kind in SUB_TYPES:
        row["EventSubType"] = SUB_TYPES[event.kind]
    if event.custom_name:
        row["EventCustomName"] = event.custom_name
    if event.target_text:
        row["EventTargetText"] = event.target_text
        row["EventTargetSelector"] = event.target_selector
    row["EventPageOffset"] = _millis_between(event.page_start, event.time)
    row["EventSessionOffset"] = _millis_between(session.start, event.time)
    row.update(NO_MODIFIERS)
    row.update(page if page is not None else page_columns(event, session))
    row.update(user)
    if event.properties:
        row.update(custom_vars("evt", event.properties))
    return row


def ingested_row(event: IngestedEvent, user: Row | None) -> Row:
    """A custom event sent through the API, as it later appears in exports."""
    browser = _section(event.context, "browser")
    location = _section(event.context, "location")
    latitude, longitude = location.get("latitude"), location.get("longitude")
    row: Row = dict(user) if user else {}
    row.update(
        {
            "SessionId": event.session_id or "",
            "EventStart": rfc3339(event.time),
            "EventType": "custom",
            "EventCustomName": event.name,
            "PageUrl": browser.get("url", ""),
            "PageRefererUrl": browser.get("initial_referrer", ""),
            "PageUserAgent": browser.get("user_agent", ""),
            "PageIp": location.get("ip_address", ""),
            "PageLatLong": f"{latitude},{longitude}"
            if latitude is not None and longitude is not None
            else "",
        }
    )
    compact = _compact(row)
    compact.update(custom_vars("evt", event.properties))
    return compact


def page_host_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path


def _compact(row: Row) -> Row:
    return {key: value for key, value in row.items() if value != "" and value is not None}


def _millis_between(earlier: datetime, later: datetime) -> int:
    return int((later - earlier).total_seconds() * 1000)


def _section(context: dict[str, Any], name: str) -> dict[str, Any]:
    value = context.get(name)
    return value if isinstance(value, dict) else {}
