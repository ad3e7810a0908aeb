"""Scanning a replicated `events` table in DuckDB or PostgreSQL, letting the database do the heavy work.

Each plain column is sampled with one `SELECT DISTINCT ... LIMIT` (the database scans the column, not
Python); each JSON column (sync keeps nested objects as JSON) is read as its distinct documents only,
so a `user_properties` object repeated on every event of a user is parsed once. Python sees a few
thousand values per column however many events the table holds, and memory stays flat.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from headwater.discovery.sampling import FieldSampler
from headwater.discovery.scan import ScanOptions, ScanReport, classify_sample
from headwater.errors import BadInput

BATCH = 2000
#: DuckDB spills to disk beyond this, so a scan's memory stays flat however large the table
DUCKDB_MEMORY_LIMIT = "128MB"
META_COLUMNS = frozenset({"_headwater_batch", "_headwater_loaded_at"})
TIME_COLUMNS = ("event_time", "EventStart", "client_event_time")
_JSON_TYPES = frozenset({"JSON", "json", "jsonb"})


@dataclass(frozen=True)
class EventTable:
    """Where a connection's replicated events are. `location` may hold a password: never print it."""

    kind: Literal["duckdb", "postgresql"]
    location: str
    schema: str
    display: str
    table: str = "events"

    def __repr__(self) -> str:
        return f"EventTable(kind={self.kind!r}, at={self.display!r}, table={self.schema}.{self.table})"


class _Reader:
    """The few queries a scan needs, with DuckDB's and PostgreSQL's placeholder styles hidden."""

    def __init__(self, cursor: Any, placeholder: str) -> None:
        self._cursor = cursor
        self._placeholder = placeholder

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        self._cursor.execute(sql.replace("?", self._placeholder), list(params))
        while batch := self._cursor.fetchmany(BATCH):
            yield from batch

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return next(self.rows(sql, params), (None,))[0]


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def scan_table(table: EventTable, options: ScanOptions) -> ScanReport:
    with _open(table) as reader:
        columns = _columns(reader, table)
        if not columns:
            raise BadInput(f"{table.display} has no table {table.schema}.{table.table}.")
        name = f"{_qualified_schema(reader, table)}.{quote(table.table)}"
        where, params = _since_clause(columns, options.since)
        events = int(reader.one(f"SELECT count(*) FROM {name} WHERE {where}", params) or 0)
        sampler = FieldSampler(options.sample)
        for column, kind in columns.items():
            if column in META_COLUMNS:
                continue
            if kind in _JSON_TYPES or _is_nested(kind):
                _sample_documents(reader, name, column, kind, where, params, sampler)
            else:
                _sample_values(reader, name, column, kind, where, params, sampler)
    return ScanReport(table.display, events, classify_sample(sampler, options), sampler.fields_dropped)


def _sample_values(
    reader: _Reader, name: str, column: str, kind: str, where: str, params: list[Any], sampler: FieldSampler
) -> None:
    text_column = kind.upper() in ("VARCHAR", "TEXT", "CHARACTER VARYING") or kind.lower() == "text"
    limit = sampler.url_cap if text_column else sampler.cap  # text may be URLs, whose queries are split
    sql = (
        f"SELECT DISTINCT CAST({quote(column)} AS VARCHAR) FROM {name} "
        f"WHERE {quote(column)} IS NOT NULL AND {where} LIMIT {int(limit)}"
    )
    for (value,) in reader.rows(sql, params):
        sampler.add({column: value})


def _sample_documents(
    reader: _Reader,
    name: str,
    column: str,
    kind: str,
    where: str,
    params: list[Any],
    sampler: FieldSampler,
) -> None:
    expression = f"to_json({quote(column)})" if _is_nested(kind) else quote(column)
    sql = (
        f"SELECT DISTINCT CAST({expression} AS VARCHAR) FROM {name} "
        f"WHERE {quote(column)} IS NOT NULL AND {where}"
    )
    for (document,) in reader.rows(sql, params):
        try:
            value = json.loads(document)
        except (TypeError, ValueError):
            value = document
        sampler.add({column: value})


def _is_nested(kind: str) -> bool:
    return kind.startswith(("STRUCT", "MAP", "UNION")) or kind.endswith("]") or kind == "ARRAY"


def _since_clause(columns: dict[str, str], since: date | None) -> tuple[str, list[Any]]:
    if since is None:
        return "TRUE", []
    for candidate in TIME_COLUMNS:
        if candidate in columns:
            return f"{quote(candidate)} >= ?", [since]
    raise BadInput(
        "--since needs an event time column, and this table has none of " + ", ".join(TIME_COLUMNS) + "."
    )


def _qualified_schema(reader: _Reader, table: EventTable) -> str:
    """`catalog.schema` in DuckDB: a file named like its schema (fs.duckdb holding fs) is ambiguous."""
    if table.kind != "duckdb":
        return quote(table.schema)
    return f"{quote(str(reader.one('SELECT current_database()')))}.{quote(table.schema)}"


def _columns(reader: _Reader, table: EventTable) -> dict[str, str]:
    sql = (
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position"
    )
    return {str(column): str(kind) for column, kind in reader.rows(sql, [table.schema, table.table])}


@contextmanager
def _open(table: EventTable) -> Iterator[_Reader]:
    if table.kind == "duckdb":
        from headwater.sync.duckdb_dest import connect

        if not Path(table.location).exists():
            raise BadInput(f"{table.display} does not exist.")
        con = connect(Path(table.location), read_only=True)
        con.execute(f"SET memory_limit='{DUCKDB_MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory='{tempfile.gettempdir()}/headwater-duckdb-spill'")
        con.execute("SET preserve_insertion_order=false")
        try:
            yield _Reader(con, "?")
        finally:
            con.close()
        return
    import psycopg

    libpq = "postgresql://" + table.location.split("://", 1)[1]  # psycopg takes no SQLAlchemy dialect
    with psycopg.connect(libpq) as pg, pg.cursor() as cursor:
        yield _Reader(cursor, "%s")
