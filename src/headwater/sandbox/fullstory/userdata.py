"""User upserts, property merging and the v2 user JSON, shared by single, batch and v1 routes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from headwater.sandbox.fullstory import errors
from headwater.sandbox.fullstory.state import FullStoryState
from headwater.sandbox.fullstory.store import UserRecord

PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_PROPERTIES = 500


def user_json(state: FullStoryState, record: UserRecord, include_schema: bool = False) -> dict[str, Any]:
    deleting = state.users.shows_deletion(record)
    body: dict[str, Any] = {
        "id": record.id,
        "uid": record.uid,
        "display_name": record.display_name,
        "email": record.email,
        "is_being_deleted": deleting,
        "properties": {} if deleting else record.properties,
        "app_url": f"https://app.fullstory.com/ui/{state.org_id}/segments/everyone/people/0/user/{record.id}",
    }
    if include_schema:
        body["schema"] = {"properties": {**infer_schema(body["properties"]), **record.declared_schema}}
        body["type_conflicts"] = {"properties": {}}
    return body


def upsert(state: FullStoryState, request: dict[str, Any], target: UserRecord | None = None) -> UserRecord:
    """Create or update one user from a v2 body; caller holds ``state.lock``.

    Without ``target`` a known ``uid`` updates that user and anything else creates one (anonymous
    when ``uid`` is absent). ``uid`` is immutable once set.
    """
    uid = _text(request, "uid", 256)
    display_name = _text(request, "display_name", 256)
    email = _text(request, "email", 128)
    properties = request.get("properties") or {}
    if not isinstance(properties, dict):
        raise errors.invalid("properties must be an object")
    check_property_names(properties)
    if target is None and uid:
        target = state.users.by_uid(uid)
        if target is not None and target.being_deleted:
            target = None
    if target is None:
        record = state.users.create(uid or "")
    else:
        record = state.users.materialize(target)
        if uid and record.uid and uid != record.uid:
            raise errors.invalid("uid cannot be changed once set")
        if uid and not record.uid:
            state.users.set_uid(record, uid)
    if display_name:
        record.display_name = display_name
    if email:
        record.email = email
    merge(record.properties, properties)
    declared = (
        (request.get("schema") or {}).get("properties") if isinstance(request.get("schema"), dict) else None
    )
    if isinstance(declared, dict):
        record.declared_schema.update({str(k): str(v) for k, v in declared.items()})
    if len(flatten(record.properties)) > MAX_PROPERTIES:
        raise errors.invalid(f"a user can have at most {MAX_PROPERTIES} properties")
    return record


def merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    """Most recent wins; nested objects merge key by key."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def check_property_names(properties: dict[str, Any], prefix: str = "") -> None:
    for key, value in properties.items():
        if not PROPERTY_NAME.match(str(key)):
            raise errors.invalid(f"property name {prefix}{key!r} must match [A-Za-z][A-Za-z0-9_]*")
        if isinstance(value, dict):
            check_property_names(value, f"{prefix}{key}.")


def flatten(properties: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in properties.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def type_name(value: Any) -> str:
    """FullStory's type names; the export suffixes use the same words (``str`` for strings)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "real"
    if isinstance(value, datetime | date):
        return "date"
    if isinstance(value, list):
        inner = {type_name(item) for item in value}
        return f"{inner.pop()}s" if len(inner) == 1 else "strs"
    if isinstance(value, str) and _looks_like_date(value):
        return "date"
    return "str"


def infer_schema(properties: dict[str, Any]) -> dict[str, str]:
    return {name: _schema_word(type_name(value)) for name, value in flatten(properties).items()}


def _schema_word(suffix: str) -> str:
    return {"str": "string", "strs": "strings"}.get(suffix, suffix)


def _looks_like_date(value: str) -> bool:
    if len(value) < 10 or value[4:5] != "-" or value[7:8] != "-":
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _text(request: dict[str, Any], field: str, limit: int) -> str:
    value = request.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise errors.invalid(f"{field} must be a string")
    if len(value) > limit:
        raise errors.invalid(f"{field} must be at most {limit} characters")
    return value
