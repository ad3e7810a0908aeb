"""A person's events in order, grouped by session and then by page: the "user session timeline".

It reads the `events` table a sync loaded (DuckDB or PostgreSQL). Which columns name the person, the
session, the page and the rest is the provider's to say (`Timeline`, declared with its export).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from headwater.errors import BadInput, NotFound
from headwater.sync.providers import event_export
from headwater.sync.source import Timeline
from headwater.sync.target import Target, quote

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
    shape = event_export(kind).timeline
    rows = _query(target, shape.columns, "email" if email else "uid", email or uid or "", session, limit)
    if not rows:
        who = f"email {email}" if email else f"uid {uid}"
        raise NotFound(
            f"No events for {who} in {target.display()}" + (f" (session {session})." if session else "."),
            hint="Check the identifier, or run `headwater sync` first to load the latest events.",
        )
    events = [_event(row, shape) for row in rows]
    first = rows[0]
    person = {"email": email or first.get("email"), "uid": uid or first.get("uid"), "name": first.get("name")}
    return {
        "person": person,
        "events": len(events),
        "truncated": len(rows) >= limit,
        "sessions": _group(events),
    }


def _query(
    target: Target, mapping: Mapping[str, str], by: str, value: str, session: str | None, limit: int
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


def _event(row: dict[str, Any], shape: Timeline) -> dict[str, Any]:
    page, target, detail = shape.describe(row)
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


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.isoformat() if moment.tzinfo else moment.isoformat() + "Z"
