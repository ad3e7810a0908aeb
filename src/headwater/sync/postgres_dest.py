"""The PostgreSQL destination: DuckDB reads the batch into columns, PostgreSQL takes them by `COPY`.

Per batch: DuckDB (in memory, spilling to disk) parses the files into a staging table and writes it as
CSV; then one PostgreSQL transaction adds any new columns, streams the CSV in with `COPY ... FROM STDIN`
and upserts the bookmark. No row ever passes through Python as an object. An advisory lock keeps two
syncs of the same connection from writing one database at the same time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from headwater.config import mask_url
from headwater.errors import ConfigError, Conflict
from headwater.sync import columns, reader
from headwater.sync.batches import Batch
from headwater.sync.duckdb_dest import MEMORY_LIMIT, LoadError, unreadable_hint
from headwater.sync.suppression import LoadFilter
from headwater.sync.target import Target

BOOKMARKS = "_headwater_bookmarks"
PG_NAME_BYTES = 63
TO_PG = {
    "TINYINT": "smallint",
    "UTINYINT": "smallint",
    "SMALLINT": "smallint",
    "USMALLINT": "integer",
    "INTEGER": "integer",
    "UINTEGER": "bigint",
    "BIGINT": "bigint",
    "UBIGINT": "numeric",
    "HUGEINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "JSON": "jsonb",
}
FROM_PG = {
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "numeric": "DOUBLE",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "jsonb": "JSON",
    "json": "JSON",
}


def pg_name(name: str) -> str:
    """PostgreSQL cuts names at 63 bytes; longer ones get a stable short form instead of colliding."""
    if len(name.encode()) <= PG_NAME_BYTES:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]  # noqa: S324 - a name, not a secret
    return name.encode()[: PG_NAME_BYTES - 9].decode(errors="ignore") + "_" + digest


class PostgresDestination:
    def __init__(
        self,
        target: Target,
        scratch: Path,
        *,
        memory_limit: str = MEMORY_LIMIT,
        suppression: LoadFilter | None = None,
    ) -> None:
        self.target = target
        self.suppression = suppression
        self.scratch = scratch
        try:
            self.pg = psycopg.connect(target.location, autocommit=False)
        except psycopg.OperationalError as exc:
            raise ConfigError(
                f"Cannot connect to the destination {target.display()}: {str(exc).strip().splitlines()[0]}",
                hint="Check the --to URL and that the PostgreSQL server is running.",
            ) from None
        self._lock()
        self.schema = sql.Identifier(target.schema)
        with self.pg.cursor() as cur:
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(self.schema))
            cur.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {}.{} (stream text PRIMARY KEY, value text, batch text, "
                    "updated_at timestamptz)"
                ).format(self.schema, sql.Identifier(BOOKMARKS))
            )
        self.pg.commit()
        self.duck = duckdb.connect()
        self.memory_limit = memory_limit
        self.duck.execute(f"SET memory_limit={reader.sql_string(memory_limit)}")
        self.duck.execute(f"SET temp_directory={reader.sql_string(str(scratch))}")
        self.duck.execute("SET TimeZone='UTC'")
        self.duck.execute("SET enable_progress_bar=false")
        if suppression is not None:
            suppression.install(self.duck)

    def __enter__(self) -> PostgresDestination:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.duck.close()
        self.pg.close()

    def _lock(self) -> None:
        with self.pg.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"headwater.sync:{self.target.schema}"])
            row = cur.fetchone()
        self.pg.commit()
        if not row or not row[0]:
            self.pg.close()
            raise Conflict(
                f"Another sync is writing schema {self.target.schema!r} of {mask_url(self.target.location)}.",
                hint="Wait for it to finish, then run this sync again.",
            )

    def table(self, stream: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(self.schema, sql.Identifier(stream))

    def bookmark(self, stream: str) -> str | None:
        with self.pg.cursor() as cur:
            cur.execute(
                sql.SQL("SELECT value FROM {}.{} WHERE stream = %s").format(
                    self.schema, sql.Identifier(BOOKMARKS)
                ),
                [stream],
            )
            row = cur.fetchone()
        self.pg.commit()
        return None if row is None else str(row[0])

    def reset(self, stream: str) -> None:
        with self.pg.cursor() as cur:
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self.table(stream)))
            cur.execute(
                sql.SQL("DELETE FROM {}.{} WHERE stream = %s").format(self.schema, sql.Identifier(BOOKMARKS)),
                [stream],
            )
        self.pg.commit()

    def row_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.pg.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name <> %s",
                [self.target.schema, BOOKMARKS],
            )
            for (name,) in cur.fetchall():
                cur.execute(sql.SQL("SELECT count(*) FROM {}").format(self.table(str(name))))
                found = cur.fetchone()
                counts[str(name)] = int(found[0]) if found else 0
        self.pg.commit()
        return counts

    def load(self, batch: Batch, stream: str, json_columns: frozenset[str]) -> int:
        """Stage with DuckDB, then DDL + COPY + bookmark in one PostgreSQL transaction."""
        detected = self._stage(batch, stream) if batch.files else None
        if detected and self.suppression is not None:
            self.suppression.drop(self.duck, "stage")  # suppressed people never reach PostgreSQL
        try:
            rows = self._copy(batch, stream, detected, json_columns) if detected else 0
            self._upsert_bookmark(batch, stream)
            self.pg.commit()
        except psycopg.Error as exc:
            self.pg.rollback()
            raise LoadError(
                f"Could not load {batch.key} into {self.target.display()}: {str(exc).strip()}",
                hint="See the PostgreSQL server log for details; the batch was not committed.",
            ) from None
        finally:
            self.duck.execute("DROP TABLE IF EXISTS stage")
        return rows

    def _stage(self, batch: Batch, stream: str) -> list[tuple[str, str]] | None:
        """Parse the batch into DuckDB's `stage` table; returns its columns (None: no rows at all).

        Known keys only: read with the table's own types, nothing to detect. Otherwise detect, from a
        sample and then from every row (`*` makes DuckDB refuse a key its sample missed).
        """
        known = self._named_columns(stream)
        if known and reader.covers(reader.scan_keys(self.duck, batch), known):
            meta = {name for name, _ in columns.META_COLUMNS}
            spec = {name: kind for name, kind in known.values() if name not in meta}
            try:
                source = reader.read_json(batch, columns=spec)
                self.duck.execute(f"CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM {source}")
                return list(spec.items())
            except duckdb.Error:
                pass  # a value no longer fits its column: detect and widen
        failure: duckdb.Error | None = None
        for full_sample in (False, True):
            source = reader.read_json(batch, full_sample=full_sample)
            try:
                self.duck.execute(f"CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM {source}")
            except duckdb.Error as exc:
                failure = exc
                continue
            return reader.describe(self.duck, "stage")
        raise LoadError(
            f"Could not read {batch.key}: {failure}", hint=unreadable_hint(failure, self.memory_limit)
        )

    def _copy(
        self, batch: Batch, stream: str, detected: list[tuple[str, str]], json_columns: frozenset[str]
    ) -> int:
        existing = self._evolve(stream, detected, json_columns)
        json_targets = [name for name, kind in existing.items() if kind == "JSON"]
        csv_path = self.scratch / "stage.csv"
        select, ordered = columns.select_list(detected, [*json_targets, *json_columns])
        self.duck.execute(
            f"COPY (SELECT {select}, {reader.sql_string(batch.key)} AS _headwater_batch, now() AS "
            f"_headwater_loaded_at FROM stage) TO {reader.sql_string(str(csv_path))} "
            "(FORMAT csv, HEADER false)"
        )
        names = [
            sql.Identifier(pg_name(name)) for name in [*ordered, "_headwater_batch", "_headwater_loaded_at"]
        ]
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            self.table(stream), sql.SQL(", ").join(names)
        )
        with self.pg.cursor() as cur, cur.copy(statement) as copy, csv_path.open("rb") as csv_file:
            while chunk := csv_file.read(1 << 20):
                copy.write(chunk)
        csv_path.unlink(missing_ok=True)
        counted = self.duck.execute("SELECT count(*) FROM stage").fetchone()
        return int(counted[0]) if counted else 0

    def _evolve(
        self, stream: str, detected: list[tuple[str, str]], json_columns: frozenset[str]
    ) -> dict[str, str]:
        """Create or grow the table inside the load's transaction; returns its columns (DuckDB types)."""
        existing = self._columns(stream)
        wanted = [(pg_name(name), kind) for name, kind in detected]
        added, changed = columns.plan_changes(wanted, existing, json_columns)
        with self.pg.cursor() as cur:
            if not existing:
                defs = [*added, *columns.META_COLUMNS]
                body = sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(_pg_type(kind)))
                    for name, kind in defs
                )
                cur.execute(sql.SQL("CREATE TABLE {} ({})").format(self.table(stream), body))
            else:
                for name, kind in added:
                    cur.execute(
                        sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                            self.table(stream), sql.Identifier(name), sql.SQL(_pg_type(kind))
                        )
                    )
                for name, kind in changed:
                    pg_type = sql.SQL(_pg_type(kind))
                    cur.execute(
                        sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::{}").format(
                            self.table(stream), sql.Identifier(name), pg_type, sql.Identifier(name), pg_type
                        )
                    )
        return self._columns(stream)

    def _columns(self, stream: str) -> dict[str, str]:
        return {key: kind for key, (_, kind) in self._named_columns(stream).items()}

    def _named_columns(self, stream: str) -> dict[str, tuple[str, str]]:
        """Lower-case name -> (name, the DuckDB type read into it)."""
        with self.pg.cursor() as cur:
            cur.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s",
                [self.target.schema, stream],
            )
            rows = cur.fetchall()
        return {str(name).lower(): (str(name), FROM_PG.get(str(kind), "VARCHAR")) for name, kind in rows}

    def _upsert_bookmark(self, batch: Batch, stream: str) -> None:
        with self.pg.cursor() as cur:
            cur.execute(
                sql.SQL(
                    "INSERT INTO {}.{} VALUES (%s, %s, %s, now()) ON CONFLICT (stream) DO UPDATE SET "
                    "value = excluded.value, batch = excluded.batch, updated_at = excluded.updated_at"
                ).format(self.schema, sql.Identifier(BOOKMARKS)),
                [stream, batch.bookmark, batch.key],
            )


def _pg_type(duck_type: str) -> str:
    return TO_PG.get(duck_type, "text")
