"""A person's events in order, grouped by session and then by page: the "user session timeline".

It reads the `events` table a sync loaded (DuckDB or PostgreSQL). FullStory rows name the person by
`UserEmail` / `UserAppKey` (your uid); Amplitude rows by `user_id` (often the email).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from headwater.errors import BadInput, NotFound
from headwater.sync.target import Target, quote

# normalised name -> column, per provider
FULLSTORY = {
    "session": "SessionId",
    "page": "PageUrl",
    "page_id": "PageId",
    "time": "EventStart",
    "type": "EventType",
    "subtype": "EventSubType",
    "target": "EventTargetText",
    "custom": "EventCustomName",
    "name": "UserDisplayName",
    "email": "UserEmail",
    "uid": "UserAppKey",
}
AMPLITUDE = {
    "session": "session_id",
    "time": "event_time",
    "type": "event_type",
    "properties": "event_properties",
    "email": "user_id",
    "uid": "user_id",
}
PAGE_URL = "[Amplitude] Page URL"
ELEMENT_TEXT = "[Amplitude] Element Text"
MAX_EVENTS = 5000


def timeline(
    target: Target,
    kind: str,
    *,
    email: str | None = None,
    uid: str | None = None,
    session: str | None = None,
    limit: int = MAX_EVENTS,
) -> dict[str, Any]:
    if (email is None) == (uid is None):
        raise BadInput("Name the person with exactly one of --email or --uid.")
    mapping = FULLSTORY if kind == "fullstory" else AMPLITUDE
    rows = _query(target, mapping, "email" if email else "uid", email or uid or "", session, limit)
    if not rows:
        who = f"email {email}" if email else f"uid {uid}"
        raise NotFound(
            f"No events for {who} in {target.display()}" + (f" (session {session})." if session else "."),
            hint="Check the identifier, or run `headwater sync` first to load the latest events.",
        )
    events = [_event(row, kind) for row in rows]
    first = rows[0]
    person = {"email": email or first.get("email"), "uid": uid or first.get("uid"), "name": first.get("name")}
    return {
        "person": person,
        "events": len(events),
        "truncated": len(rows) >= limit,
        "sessions": _group(events),
    }


def _query(
    target: Target, mapping: dict[str, str], by: str, value: str, session: str | None, limit: int
) -> list[dict[str, Any]]:
    table = "{schema}." + quote("events")
    available = _columns(target)
    if not available:
        raise NotFound(
            f"No events table for this connection in {target.display()}.",
            hint="Run `headwater sync NAME` first (or pass the destination it used with --from).",
        )
    picked = [_pick(name, column, available) for name, column in mapping.items()]
    where = [f"lower(CAST({quote(mapping[by])} AS VARCHAR)) = lower(?)"]
    params: list[Any] = [value]
    if session is not None:
        where.append(f"CAST({quote(mapping['session'])} AS VARCHAR) = ?")
        params.append(session)
    sql = (
        f"SELECT {', '.join(picked)} FROM {table} WHERE {' AND '.join(where)} "
        f"ORDER BY {quote(mapping['time'])} LIMIT {int(limit)}"
    )
    names = list(mapping)
    return [dict(zip(names, row, strict=True)) for row in _fetch(target, sql, params)]


def _pick(name: str, column: str, available: set[str]) -> str:
    """Missing columns read as NULL; times as text (the same on DuckDB and PostgreSQL)."""
    if column.lower() not in available:
        return f"NULL AS {quote(name)}"
    if name == "time":
        return f"CAST({quote(column)} AS VARCHAR) AS {quote(name)}"
    return f"{quote(column)} AS {quote(name)}"


def _columns(target: Target) -> set[str]:
    sql = (
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = 'events'"
    )
    return {str(row[0]).lower() for row in _fetch(target, sql, [target.schema])}


def _fetch(target: Target, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    if target.kind == "postgresql":
        import psycopg

        with psycopg.connect(target.location) as conn, conn.cursor() as cur:
            text = (
                sql.replace("{schema}", quote(target.schema))
                .replace("?", "%s")
                .replace("AS VARCHAR", "AS TEXT")
            )
            cur.execute(text, list(params))
            return list(cur.fetchall())
    from headwater.sync.duckdb_dest import connect, qualified_schema

    if not target.path.exists():
        raise NotFound(f"No sync destination at {target.display()}.", hint="Run `headwater sync NAME` first.")
    con = connect(target.path, read_only=True)
    try:
        sql = sql.replace("{schema}", qualified_schema(con, target.schema))
        return list(con.execute(sql, list(params)).fetchall())
    finally:
        con.close()


def _event(row: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind == "fullstory":
        subtype = row.get("subtype") if row.get("subtype") != row.get("type") else None
        page, target, detail = row.get("page"), row.get("target"), row.get("custom") or subtype
    else:
        properties = _properties(row.get("properties"))
        page, target, detail = properties.get(PAGE_URL), properties.get(ELEMENT_TEXT), None
    return {
        "session": None if row.get("session") is None else str(row["session"]),
        "page": page,
        "time": _iso(row.get("time")),
        "type": row.get("type"),
        "target": target,
        "detail": detail,
    }


def _group(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sessions in order of their first event; inside each, consecutive events on one page form a visit."""
    sessions: dict[str | None, dict[str, Any]] = {}
    for event in events:
        group = sessions.setdefault(
            event["session"], {"session": event["session"], "start": event["time"], "events": 0, "pages": []}
        )
        group["end"] = event["time"]
        group["events"] += 1
        pages = group["pages"]
        if not pages or pages[-1]["page"] != event["page"]:
            pages.append({"page": event["page"], "start": event["time"], "events": []})
        pages[-1]["events"].append(
            {k: event[k] for k in ("time", "type", "target", "detail") if event[k] not in (None, "")}
        )
    return list(sessions.values())


def _properties(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.isoformat() if moment.tzinfo else moment.isoformat() + "Z"
