"""User-property operations (``$set``, ``$add`` ...) as ingestion and identify apply them."""

from __future__ import annotations

from typing import Any

OPERATIONS = frozenset(
    {
        "$set",
        "$setOnce",
        "$add",
        "$append",
        "$prepend",
        "$unset",
        "$preInsert",
        "$postInsert",
        "$remove",
        "$clearAll",
    }
)


def is_operations(update: dict[str, Any]) -> bool:
    return any(key in OPERATIONS for key in update)


def mixes_operations(update: dict[str, Any]) -> bool:
    """Amplitude rejects an update that mixes ``$``-operations and plain keys."""
    keys = list(update)
    return is_operations(update) and any(key not in OPERATIONS for key in keys)


def apply(properties: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """The properties after ``update``; plain keys mean ``$set``. Returns a new dict."""
    result = dict(properties)
    if not is_operations(update):
        result.update(update)
        return result
    if update.get("$clearAll"):
        result.clear()
    for key, value in (update.get("$set") or {}).items():
        result[key] = value
    for key, value in (update.get("$setOnce") or {}).items():
        result.setdefault(key, value)
    for key, value in (update.get("$add") or {}).items():
        current = result.get(key, 0)
        if isinstance(current, int | float) and isinstance(value, int | float):
            result[key] = current + value
    for key in _keys(update.get("$unset")):
        result.pop(key, None)
    _list_ops(result, update)
    return result


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, list):
        return [str(key) for key in value]
    return []


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _list_ops(result: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in (update.get("$append") or {}).items():
        result[key] = _as_list(result.get(key)) + _as_list(value)
    for key, value in (update.get("$prepend") or {}).items():
        result[key] = _as_list(value) + _as_list(result.get(key))
    for key, value in (update.get("$postInsert") or {}).items():
        current = _as_list(result.get(key))
        result[key] = current + [item for item in _as_list(value) if item not in current]
    for key, value in (update.get("$preInsert") or {}).items():
        current = _as_list(result.get(key))
        result[key] = [item for item in _as_list(value) if item not in current] + current
    for key, value in (update.get("$remove") or {}).items():
        drop = _as_list(value)
        result[key] = [item for item in _as_list(result.get(key)) if item not in drop]
