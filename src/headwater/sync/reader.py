"""DuckDB's own JSON reader over a batch's files: the one place that writes `read_json(...)` SQL.

Row parsing, type detection and gunzipping all happen inside DuckDB, in columns, never as Python
dicts. Type detection costs about as much as the load itself on small files, so a batch whose keys are
all known columns is read with the table's own column types instead; `scan_keys` finds a batch's keys
first (a cheaper pass, without building columns), so that no field can be silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from headwater.sync import columns
from headwater.sync.batches import Batch

FULL_SAMPLE = -1


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _files(batch: Batch) -> str:
    return "[" + ", ".join(sql_string(str(path)) for path in batch.files) + "]"


def _compression(batch: Batch) -> str:
    gzipped = all(path.name.endswith(".gz") for path in batch.files)
    return sql_string("gzip" if gzipped else "auto_detect")


def read_json(batch: Batch, *, full_sample: bool = False, columns: Mapping[str, str] | None = None) -> str:
    """A `read_json(...)` table expression over the batch's files.

    With `columns` nothing is detected (and a key outside them would be skipped: only pass them when
    the batch's keys are known to be among them). Without, types are detected from a sample, and a key
    or a type the sample missed makes DuckDB refuse the file rather than drop it.
    """
    options = [f"format={sql_string(batch.fmt)}", f"compression={_compression(batch)}"]
    if columns is not None:
        spec = ", ".join(f"{sql_string(name)}: {sql_string(kind)}" for name, kind in columns.items())
        options.append(f"columns={{{spec}}}")
    elif full_sample:
        options.append(f"sample_size={FULL_SAMPLE}")
    return f"read_json({_files(batch)}, {', '.join(options)})"


def describe(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str]] | None:
    """The columns and detected types of a source; None when it holds no rows at all."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    found = [(str(row[0]), str(row[1])) for row in rows]
    if found == [("json", "JSON")]:
        count = con.execute(f"SELECT count(*) FROM {source}").fetchone()
        if count is not None and count[0] == 0:
            return None
    return found


def describe_each(
    con: duckdb.DuckDBPyConnection, batch: Batch, *, full_sample: bool
) -> list[tuple[str, str]] | None:
    """`describe` file by file (a whole-file sample of several big files at once needs more memory),
    with a column's types from different files merged into one that holds them all."""
    merged: dict[str, tuple[str, str]] = {}
    for path in batch.files:
        one = Batch(batch.key, [path], batch.fmt, batch.bookmark)
        for name, kind in describe(con, read_json(one, full_sample=full_sample)) or []:
            seen = merged.get(name.lower())
            merged[name.lower()] = (name, kind if seen is None else _merge(seen[1], kind))
    return list(merged.values()) or None


def _merge(first: str, second: str) -> str:
    if first == second or columns.fits(second, first):
        return first
    if columns.fits(first, second):
        return second
    return "JSON" if columns.is_nested(first) or columns.is_nested(second) else columns.widened(second, first)


def covers(keys: frozenset[str] | None, known: Mapping[str, object]) -> bool:
    """Whether every key is a known column (`known` by lower-case name, as DuckDB matches them)."""
    return keys is not None and all(key.lower() in known for key in keys)


def scan_keys(con: duckdb.DuckDBPyConnection, batch: Batch) -> frozenset[str] | None:
    """Every top-level key in a batch's rows, found by DuckDB without building any column; None if
    DuckDB cannot read the files this way (the loader then detects the columns itself, and reports
    what it cannot read)."""
    if not batch.files:
        return frozenset()
    objects = (
        f"read_json_objects({_files(batch)}, format={sql_string(batch.fmt)}, "
        f"compression={_compression(batch)})"
    )
    try:
        rows = con.execute(f"SELECT DISTINCT unnest(json_keys(json)) FROM {objects}").fetchall()
    except duckdb.Error:
        return None
    return frozenset(str(row[0]) for row in rows)
