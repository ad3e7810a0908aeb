"""The ``userData`` block of user activity: aggregates over one user's export rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from headwater.sandbox.amplitude.directory import UserRecord


def _revenue(row: dict[str, Any]) -> float | None:
    props = row.get("event_properties") or {}
    value = props.get("$revenue", props.get("revenue"))
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _usage_ms(rows: list[tuple[datetime, dict[str, Any]]]) -> int:
    """Sum over sessions of (last event - first event), which is how long the user was active."""
    spans: dict[int, tuple[datetime, datetime]] = {}
    for moment, row in rows:
        session = row.get("session_id")
        if not isinstance(session, int) or session == -1:
            continue
        first, last = spans.get(session, (moment, moment))
        spans[session] = (min(first, moment), max(last, moment))
    return sum(int((last - first).total_seconds() * 1000) for first, last in spans.values())


def user_data(
    record: UserRecord, merged: list[int], rows: list[tuple[datetime, dict[str, Any]]]
) -> dict[str, Any]:
    """Counts and the latest client fields, from rows sorted oldest first."""
    revenues = [value for value in (_revenue(row) for _, row in rows) if value is not None]
    last = rows[-1][1] if rows else {}
    located = next((row for _, row in reversed(rows) if row.get("location_lat") is not None), None)
    first_used = rows[0][0] if rows else record.created
    last_used = rows[-1][0] if rows else (record.touched or record.created)
    sessions = {row.get("session_id") for _, row in rows if row.get("session_id") not in (None, -1)}
    return {
        "user_id": record.user_id,
        "canonical_amplitude_id": record.amplitude_id,
        "merged_amplitude_ids": merged,
        "num_events": len(rows),
        "num_sessions": len(sessions),
        "usage_time": _usage_ms(rows),
        "first_used": first_used.date().isoformat(),
        "last_used": last_used.date().isoformat(),
        "purchases": len(revenues),
        "revenue": round(sum(revenues), 2),
        "device_ids": list(record.device_ids),
        "last_device_id": record.last_device_id,
        "last_location": {"lat": located["location_lat"], "lng": located["location_lng"]}
        if located
        else None,
        "properties": dict(record.properties),
        "platform": last.get("platform"),
        "os": last.get("os_name"),
        "version": last.get("version_name"),
        "device": last.get("device_family"),
        "device_type": last.get("device_type"),
        "carrier": last.get("device_carrier"),
        "country": last.get("country"),
        "region": last.get("region"),
        "city": last.get("city"),
        "dma": last.get("dma"),
        "language": last.get("language"),
        "start_version": last.get("start_version"),
        "merge_times": [],
        "aliasing_user_ids": [],
        "aliased_user_id": None,
        "aliasing_profiles": [],
    }
