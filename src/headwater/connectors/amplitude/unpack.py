"""Rows out of Amplitude's export archives: a ZIP of gzipped NDJSON files, or one gzipped NDJSON file.

A ZIP can only be read once its directory (at the end) has arrived, so the body is spooled to a temporary
file (in memory while small) and the rows are then read entry by entry, never all at once.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, cast

from headwater.errors import ProviderError

SPOOL_IN_MEMORY = 32 * 1024 * 1024
ZIP_MAGIC = b"PK"
GZIP_MAGIC = b"\x1f\x8b"
# <app>_<YYYY-MM-DD>_<H>#<part>.json.gz, the hour not zero-padded
_ENTRY = re.compile(r"_(\d{4}-\d{2}-\d{2})_(\d{1,2})#(\d+)\.json(?:\.gz)?$")


def spool(chunks: Iterable[bytes]) -> IO[bytes]:
    body: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - returned
    for chunk in chunks:
        body.write(chunk)
    body.seek(0)
    return body


def archive_rows(body: IO[bytes], what: str) -> Iterator[dict[str, Any]]:
    """Rows of a ZIP (entries in hour and part order) or of a bare gzip / NDJSON body."""
    head = body.read(2)
    body.seek(0)
    try:
        if head == ZIP_MAGIC:
            with zipfile.ZipFile(body) as archive:
                for name in sorted(archive.namelist(), key=_entry_order):
                    if not name.endswith("/"):
                        with archive.open(name) as member:
                            yield from ndjson_rows(member)
        else:
            yield from ndjson_rows(body)
    except (zipfile.BadZipFile, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ProviderError(
            f"The {what} from Amplitude could not be read ({exc}).",
            hint="The download was cut short or damaged; download it again, or use a smaller time range.",
        ) from None
    finally:
        body.close()


def ndjson_rows(raw: IO[bytes]) -> Iterator[dict[str, Any]]:
    """One JSON object per line, gunzipping first when the bytes are gzip."""
    stream: IO[bytes] = raw
    if _peek(raw) == GZIP_MAGIC:
        stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    for line in io.TextIOWrapper(stream, encoding="utf-8"):
        if line.strip():
            yield json.loads(line)


def _peek(raw: Any) -> bytes:
    """The first two bytes, left unread (zip members can peek, spooled files can seek)."""
    peek = getattr(raw, "peek", None)
    if peek is not None:
        return bytes(peek(2)[:2])
    head: bytes = raw.read(2)
    raw.seek(0)
    return head


def _entry_order(name: str) -> tuple[str, int, int, str]:
    match = _ENTRY.search(name)
    if match is None:
        return ("", 0, 0, name)
    return (match[1], int(match[2]), int(match[3]), name)
