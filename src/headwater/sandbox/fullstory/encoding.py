"""Streaming encoders: rows to JSON array, NDJSON or CSV, then gzip, chunk by chunk with flat memory."""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

Row = dict[str, Any]
CHUNK_BYTES = 256 * 1024
GZIP_LEVEL = 3
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def json_array(rows: Iterable[Row]) -> Iterator[bytes]:
    """``[row,row,...]`` as a few large chunks rather than one tiny write per row."""
    parts: list[str] = ["["]
    size, first = 1, True
    for row in rows:
        text = _ENCODER.encode(row)
        parts.append(text if first else "," + text)
        first = False
        size += len(text) + 1
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("]")
    yield "".join(parts).encode()


def ndjson(rows: Iterable[Row]) -> Iterator[bytes]:
    parts: list[str] = []
    size = 0
    for row in rows:
        text = _ENCODER.encode(row) + "\n"
        parts.append(text)
        size += len(text)
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode()
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode()


def csv_table(rows: Iterable[Row], columns: Sequence[str]) -> Iterator[bytes]:
    """A header row, then one line per row; lists and objects are written as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def gzipped(chunks: Iterable[bytes], level: int = GZIP_LEVEL) -> Iterator[bytes]:
    """Compress as the data is produced; nothing holds the whole file."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()


def field_selector(fields: Sequence[str]) -> Callable[[Row], Row]:
    """Keep the named columns; ``user_*``-style entries keep every column with that prefix."""
    exact = {name for name in fields if not name.endswith("*")}
    prefixes = tuple(name[:-1] for name in fields if name.endswith("*"))
    if not fields:
        return lambda row: row
    return lambda row: {k: v for k, v in row.items() if k in exact or k.startswith(prefixes)}


def csv_columns(fields: Sequence[str], seen: Iterable[str], base_order: Sequence[str]) -> list[str]:
    """Explicit fields first in the order asked, then columns found by wildcards (or all), sorted."""
    explicit = [name for name in fields if not name.endswith("*")]
    known = set(explicit)
    rank = {name: position for position, name in enumerate(base_order)}
    extra = sorted(
        (name for name in set(seen) if name not in known), key=lambda n: (rank.get(n, len(rank)), n)
    )
    return explicit + extra


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return value
