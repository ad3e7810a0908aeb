"""Where `headwater sync` put a connection's events: the one place discovery asks the sync feature.

The newest successful sync run names its destination; a DuckDB file can be opened from that alone. A
PostgreSQL destination is stored with its password masked, so it has to be given again (`--from`).
"""

from __future__ import annotations

from pathlib import Path

from headwater.config import Settings, mask_url
from headwater.discovery.table_scan import EventTable
from headwater.errors import BadInput
from headwater.store import Database
from headwater.sync.history import last_destination
from headwater.sync.target import default_duckdb_path, parse_target, schema_name

_MASK = "***"


def locate(db: Database, settings: Settings, connection: str, url: str | None = None) -> EventTable | None:
    """The connection's `events` table, or None when nothing was ever replicated for it."""
    if url:
        return _table(url, settings, connection)
    destination = last_destination(db, connection)
    if destination:
        if _MASK in destination:
            raise BadInput(
                f"The events of {connection!r} were replicated to {destination}, "
                "whose password is not stored.",
                hint=f"Give the destination again: `headwater discover scan {connection} --from URL`.",
            )
        return _table(destination, settings, connection)
    fallback = default_duckdb_path(settings.home, connection)
    if fallback.exists():
        return EventTable("duckdb", str(fallback), schema_name(connection), f"duckdb://{fallback}")
    return None


def _table(url: str, settings: Settings, connection: str) -> EventTable:
    target = parse_target(url, home=settings.home, connection=connection)
    display = f"duckdb://{target.location}" if target.kind == "duckdb" else mask_url(target.location)
    location = str(Path(target.location)) if target.kind == "duckdb" else target.location
    return EventTable(target.kind, location, target.schema, display)
