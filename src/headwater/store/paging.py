"""Cursor paging: a page ends with an opaque cursor naming the last row, and the next page starts after it.

Keyset paging rather than offsets, so a page costs the same however deep it is and rows arriving while
someone pages do not shift what they see. A cursor is base64 JSON: opaque to clients, cheap to check.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from headwater.errors import BadInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class BadCursor(BadInput):
    code = "bad_cursor"


def encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, shape: tuple[type, ...]) -> list[Any] | None:
    """The values a cursor holds, checked against `shape` (their types, in order)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursor("cursor: not a cursor this API gave out.", hint="Start again without it.") from None
    if not isinstance(values, list) or len(values) != len(shape):
        raise BadCursor("cursor: not a cursor this API gave out.", hint="Start again without it.")
    for value, kind in zip(values, shape, strict=True):
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BadCursor("cursor: not a cursor this API gave out.", hint="Start again without it.")
    return values
