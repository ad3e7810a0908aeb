"""Lenient parsing of the loosely typed values real Amplitude clients send (string booleans, day strings)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

_TRUE = frozenset({"true", "1", "yes", "t", "y"})


class BadParam(ValueError):
    """A request parameter that makes the call a 400."""


def as_bool(value: Any) -> bool:
    """True for ``True``, ``1`` and any-case ``"true"``: clients send ``"True"``, ``"true"`` or real bools."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return False


def documented_bool(value: Any, name: str) -> bool:
    """Strict mode's booleans: JSON ``true``/``false`` or the strings ``"true"``/``"false"`` in any case.

    Amplitude's own examples send ``"true"``/``"false"`` strings and production clients ``"True"``/
    ``"False"`` (Segment actions, GoodDollar; shared/api/amplitude.md §1.2 "Name drift"); nothing documents
    ``1``, ``"yes"`` or ``"t"``, which the lenient ``as_bool`` accepts and strict mode refuses.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadParam(f"{name} must be true or false")


def parse_day(value: str | None, name: str) -> date:
    """A ``YYYY-MM-DD`` day; anything else is a 400 naming the parameter."""
    if not value:
        raise BadParam(f"Missing required parameter {name} (YYYY-MM-DD)")
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadParam(f"Invalid {name} {value!r}: expected YYYY-MM-DD") from None


def parse_hour(value: str | None, name: str) -> datetime:
    """An export bound ``YYYYMMDDTHH`` as an aware UTC hour."""
    if not value:
        raise BadParam(f"Missing required parameter {name} (YYYYMMDDTHH)")
    try:
        if len(value) != 11 or value[8] != "T":
            raise ValueError(value)
        return datetime.strptime(value, "%Y%m%dT%H").replace(tzinfo=UTC)
    except ValueError:
        raise BadParam(f"Invalid {name} {value!r}: expected YYYYMMDDTHH") from None


def as_int(value: Any) -> int | None:
    """An int from an int or a digit string (ids arrive both ways); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
