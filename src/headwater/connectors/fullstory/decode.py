"""Turn a downloaded export body into rows while it is still arriving.

FullStory serves exports gzip-compressed (sometimes only as `Content-Type: application/gzip`, sometimes
with a transfer encoding httpx already undid), as one JSON array, NDJSON or CSV. Rows are parsed
incrementally, so a large bundle never sits in memory whole, and IDs above 2**53 stay exact ints.
"""

from __future__ import annotations

import codecs
import csv
import json
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import ijson

from headwater.errors import ProviderError

GZIP_MAGIC = b"\x1f\x8b"


def gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress (possibly multi-member) gzip; pass the bytes through if they are not gzip at all."""
    stream = iter(chunks)
    head = b""
    for chunk in stream:
        head += chunk
        if len(head) >= 2:
            break
    if not head.startswith(GZIP_MAGIC):
        if head:
            yield head
        yield from stream
        return
    inflater = zlib.decompressobj(wbits=31)
    fed = False
    pending = head
    try:
        while True:
            while pending:
                fed = True
                out = inflater.decompress(pending)
                if out:
                    yield out
                if inflater.eof:  # a member ended; another may follow
                    pending, inflater, fed = inflater.unused_data, zlib.decompressobj(wbits=31), False
                else:
                    pending = b""
            following = next(stream, None)
            if following is None:
                break
            pending = following
    except zlib.error as exc:
        raise _truncated(f"the gzip data is corrupt ({exc})") from None
    if fed and not inflater.eof:
        raise _truncated("the gzip data ended early")


def json_array_rows(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Stream the objects of one top-level JSON array."""
    rows: list[Any] = ijson.sendable_list()
    parser = ijson.items_coro(rows, "item", use_float=True)
    started = False
    try:
        for chunk in chunks:
            if chunk:
                started = True
                parser.send(chunk)
                yield from rows
                del rows[:]
        if started:  # an empty body is an empty export
            parser.close()
    except ijson.JSONError as exc:
        raise _truncated(f"the JSON is incomplete or invalid ({exc})") from None
    yield from rows


def ndjson_rows(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    for line in _lines(chunks):
        if line.strip():
            yield json.loads(line)


def csv_rows(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    yield from csv.DictReader(_lines(chunks))


def rows(chunks: Iterable[bytes], fmt: str = "json") -> Iterator[dict[str, Any]]:
    """Rows of a gzip (or plain) export in `json` (array), `ndjson` or `csv` format."""
    body = gunzip(chunks)
    if fmt == "ndjson":
        return ndjson_rows(body)
    if fmt == "csv":
        return csv_rows(body)
    return json_array_rows(body)


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    buffered = ""
    for chunk in chunks:
        buffered += decoder.decode(chunk)
        *complete, buffered = buffered.split("\n")
        yield from complete
    buffered += decoder.decode(b"", final=True)
    if buffered:
        yield buffered


def _truncated(reason: str) -> ProviderError:
    return ProviderError(
        f"The FullStory export download could not be read: {reason}.",
        hint="The download was cut short or the file is damaged; run the export or download again.",
    )
