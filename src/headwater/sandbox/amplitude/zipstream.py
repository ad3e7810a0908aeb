"""Build the export ZIP while sending it: entries are written to a non-seekable sink drained between rows,
so memory stays flat however many events an export holds."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

FLUSH_ROWS = 512
FLUSH_BYTES = 256 * 1024


class _Sink(io.RawIOBase):
    """A write-only, unseekable file: zipfile then writes data descriptors instead of seeking back."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self.size += len(chunk)
        return len(chunk)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.size = 0
        return data


def entry_name(app_id: int, hour: datetime, part: int) -> str:
    """``<app>/<app>_<YYYY-MM-DD>_<H>#<part>.json.gz`` with an unpadded hour, as Amplitude names them."""
    return f"{app_id}/{app_id}_{hour:%Y-%m-%d}_{hour.hour}#{part}.json.gz"


class _Entry:
    """One open ``.json.gz`` member: NDJSON lines gzipped straight into the zip entry."""

    def __init__(self, archive: zipfile.ZipFile, name: str, hour: datetime) -> None:
        info = zipfile.ZipInfo(name, date_time=(hour.year, hour.month, hour.day, hour.hour, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        self._raw = archive.open(info, "w")
        self._gzip = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=1, mtime=0)
        self._lines: list[str] = []
        self.rows = 0

    def add(self, line: str) -> None:
        self._lines.append(line)
        self.rows += 1
        if len(self._lines) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            self._gzip.write(("\n".join(self._lines) + "\n").encode())
            self._lines.clear()

    def close(self) -> None:
        self.flush()
        self._gzip.close()
        self._raw.close()


def stream_zip(lines: Iterator[tuple[datetime, str]], app_id: int, rows_per_part: int) -> Iterator[bytes]:
    """Yield the ZIP bytes for (upload hour, NDJSON line) pairs that arrive in hour order.

    Should an hour come back after another one (a source only nearly in order), its rows go into the
    hour's next part, so entry names stay unique.
    """
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED)
    next_part: dict[datetime, int] = {}
    entry: _Entry | None = None
    hour: datetime | None = None
    for row_hour, line in lines:
        if entry is None or row_hour != hour or entry.rows >= rows_per_part:
            if entry is not None:
                entry.close()
            hour = row_hour
            part = next_part.get(hour, 0)
            next_part[hour] = part + 1
            entry = _Entry(archive, entry_name(app_id, hour, part), hour)
        entry.add(line)
        if sink.size >= FLUSH_BYTES:
            yield sink.drain()
    if entry is not None:
        entry.close()
    archive.close()
    yield sink.drain()
