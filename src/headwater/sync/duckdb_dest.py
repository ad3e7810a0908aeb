"""The DuckDB destination: batches go straight from their files into the table with DuckDB's reader.

Each batch is one transaction: `INSERT INTO events BY NAME SELECT ... FROM read_json(...)` and the
bookmark upsert commit together, so a crash leaves either the whole batch and its bookmark or neither.
Only one process may write a DuckDB file at a time; a second sync of the same file is refused.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from headwater import private_files
from headwater.errors import Conflict, HeadwaterError
from headwater.sync import columns, reader
from headwater.sync.batches import Batch
from headwater.sync.suppression import LoadFilter
from headwater.sync.target import Target, quote

BOOKMARKS = "_headwater_bookmarks"
STAGE = "_headwater_stage"  # a batch's rows while suppressed people are dropped from them
MEMORY_LIMIT = "224MB"  # the default of HEADWATER_SYNC_MEMORY


def unreadable_hint(failure: BaseException | None, memory_limit: str) -> str:
    """What to do about a batch DuckDB could not read: more memory, or a report of the odd file."""
    if isinstance(failure, duckdb.OutOfMemoryException):
        return (
            f"Detecting the columns of this batch needs more than HEADWATER_SYNC_MEMORY={memory_limit}; "
            "raise it (e.g. 1GB) and run the sync again: it resumes from this batch."
        )
    return "The batch's files are in an unexpected shape; report it with the extraction log."


class LoadError(HeadwaterError):
    """A batch could not be loaded even after the table was adapted to it."""

    code = "load_failed"


class DuckDBDestination:
    def __init__(
        self, target: Target, *, memory_limit: str = MEMORY_LIMIT, suppression: LoadFilter | None = None
    ) -> None:
        self.target = target
        self.suppression = suppression
        # the file, its .wal and its spill folder hold raw events: created owner-only while we write
        self._release_umask = private_files.hold_owner_only_umask()
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = connect(target.path)
        except BaseException:
            self._release_umask()
            raise
        self.schema = qualified_schema(self.con, target.schema)
        self._known: dict[str, dict[str, tuple[str, str]]] = {}
        self.memory_limit = memory_limit
        self.con.execute(f"SET memory_limit={reader.sql_string(memory_limit)}")
        self.con.execute("SET preserve_insertion_order=false")
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {self.schema}.{BOOKMARKS} (stream VARCHAR PRIMARY KEY, "
            "value VARCHAR, batch VARCHAR, updated_at TIMESTAMP WITH TIME ZONE)"
        )
        if suppression is not None:
            suppression.install(self.con)

    def __enter__(self) -> DuckDBDestination:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._release_umask()

    def table(self, stream: str) -> str:
        return f"{self.schema}.{quote(stream)}"

    def bookmark(self, stream: str) -> str | None:
        row = self.con.execute(
            f"SELECT value FROM {self.schema}.{BOOKMARKS} WHERE stream = ?", [stream]
        ).fetchone()
        return None if row is None else str(row[0])

    def reset(self, stream: str) -> None:
        """Forget a stream (full refresh): its table and its bookmark go in one transaction."""
        self.con.execute("BEGIN")
        self._known.pop(stream, None)
        self.con.execute(f"DROP TABLE IF EXISTS {self.table(stream)}")
        self.con.execute(f"DELETE FROM {self.schema}.{BOOKMARKS} WHERE stream = ?", [stream])
        self.con.execute("COMMIT")

    def row_counts(self) -> dict[str, int]:
        names = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name <> ?",
            [self.target.schema, BOOKMARKS],
        ).fetchall()
        counts: dict[str, int] = {}
        for (name,) in names:
            row = self.con.execute(f"SELECT count(*) FROM {self.table(str(name))}").fetchone()
            counts[str(name)] = int(row[0]) if row else 0
        return counts

    def load(self, batch: Batch, stream: str, json_columns: frozenset[str]) -> int:
        """Insert the batch's rows and move the bookmark, atomically; returns the number of rows.

        A batch whose keys are all columns already is read with the table's types (no detection, the
        fast path). Otherwise the batch's types are detected, from a sample and then if need be from
        every row, the table grows to take them, and the batch is loaded.
        """
        if not batch.files:
            return self._commit(batch, stream, None)
        keys = reader.scan_keys(self.con, batch)
        known = self._columns(stream)
        if known and reader.covers(keys, known):
            try:
                return self._commit(batch, stream, reader.read_json(batch, columns=_spec(known)))
            except duckdb.Error:
                self._rollback()  # a value no longer fits its column: detect and widen below
        failure: duckdb.Error | None = None
        for full_sample in (False, True):
            source = reader.read_json(batch, full_sample=full_sample)
            try:
                detected = reader.describe_each(self.con, batch, full_sample=full_sample)
                if detected is None:
                    return self._commit(batch, stream, None)
                self._evolve(stream, detected, json_columns)
                known = self._columns(stream)
                if keys is None:  # keys unknown: `*` makes DuckDB refuse a key its sample missed
                    targets = [
                        n for n, t in detected if known[n.lower()][1] == "JSON" or columns.is_nested(t)
                    ]
                    return self._commit(batch, stream, source, columns.star_select(targets))
                if reader.covers(keys, known):
                    return self._commit(batch, stream, reader.read_json(batch, columns=_spec(known)))
            except duckdb.Error as exc:
                self._rollback()
                failure = exc
        raise LoadError(
            f"Could not load {batch.key} into {self.target.display()}: {failure or 'keys the reader misses'}",
            hint=unreadable_hint(failure, self.memory_limit),
        )

    def _commit(self, batch: Batch, stream: str, source: str | None, select: str = "*") -> int:
        self.con.execute("BEGIN")
        rows = 0
        if source is not None:
            staged = self.suppression is not None and not self.suppression.empty
            if staged and self.suppression is not None:
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {select} FROM {source}")
                self.suppression.drop(self.con, STAGE)
                source, select = STAGE, "*"
            result = self.con.execute(
                f"INSERT INTO {self.table(stream)} BY NAME SELECT {select}, ? AS _headwater_batch, "
                f"now() AS _headwater_loaded_at FROM {source}",
                [batch.key],
            ).fetchone()
            rows = int(result[0]) if result else 0
            if staged:
                self.con.execute(f"DROP TABLE {STAGE}")
        self.con.execute(
            f"INSERT INTO {self.schema}.{BOOKMARKS} VALUES (?, ?, ?, now()) ON CONFLICT (stream) "
            "DO UPDATE SET value = excluded.value, batch = excluded.batch, updated_at = excluded.updated_at",
            [stream, batch.bookmark, batch.key],
        )
        self.con.execute("COMMIT")
        return rows

    def _rollback(self) -> None:
        with contextlib.suppress(duckdb.Error):  # nothing was open
            self.con.execute("ROLLBACK")

    def _columns(self, stream: str) -> dict[str, tuple[str, str]]:
        """Lower-case name -> (name, type): DuckDB matches column names without regard to case."""
        if stream not in self._known:
            try:
                rows = self.con.execute(f"DESCRIBE {self.table(stream)}").fetchall()
            except duckdb.CatalogException:
                return {}
            self._known[stream] = {str(row[0]).lower(): (str(row[0]), str(row[1])) for row in rows}
        return self._known[stream]

    def _evolve(self, stream: str, detected: list[tuple[str, str]], json_columns: frozenset[str]) -> None:
        existing = {key: kind for key, (_, kind) in self._columns(stream).items()}
        added, changed = columns.plan_changes(detected, existing, json_columns)
        self._known.pop(stream, None)
        self.con.execute("BEGIN")
        try:
            self._apply(stream, existing, added, changed)
        except duckdb.Error:
            self._rollback()
            raise
        self.con.execute("COMMIT")

    def _apply(
        self,
        stream: str,
        existing: dict[str, str],
        added: list[tuple[str, str]],
        changed: list[tuple[str, str]],
    ) -> None:
        if not existing:
            defs = [*added, *columns.META_COLUMNS]
            body = ", ".join(f"{quote(name)} {kind}" for name, kind in defs)
            self.con.execute(f"CREATE TABLE {self.table(stream)} ({body})")
        else:
            for name, kind in added:
                self.con.execute(f"ALTER TABLE {self.table(stream)} ADD COLUMN {quote(name)} {kind}")
            for name, kind in changed:
                self.con.execute(f"ALTER TABLE {self.table(stream)} ALTER {quote(name)} TYPE {kind}")


def _spec(known: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The table's data columns and types, as `read_json(columns=...)` takes them."""
    meta = {name for name, _ in columns.META_COLUMNS}
    return {name: kind for name, kind in known.values() if name not in meta}


def qualified_schema(con: duckdb.DuckDBPyConnection, schema: str) -> str:
    """`catalog.schema`: a file named like the schema (fs.duckdb holding schema fs) is otherwise ambiguous."""
    row = con.execute("SELECT current_database()").fetchone()
    return f"{quote(str(row[0]))}.{quote(schema)}" if row else quote(schema)


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, turning "another process holds the lock" into a clear Conflict."""
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise Conflict(
                f"The DuckDB file {path} is in use by another process (a sync may be running).",
                hint="Wait for that sync to finish, or choose another --to file.",
            ) from None
        raise
    con.execute("SET enable_progress_bar=false")  # it would print into `--json` output
    return con
