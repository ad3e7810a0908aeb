"""JSON Schemas of the FullStory tap's streams.

`events` keeps the 24 columns (names and types) of tap-fullstory 1.0.x, so existing targets keep
working, adds every documented export field, and adds the custom variables found in the data. Custom
variable names carry their type as a suffix (`user_plan_str`, `evt_total_real`), which is how their
column types are chosen. Anything a record holds that the schema does not name is kept in `CustomVars`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CATCH_ALL = "CustomVars"
# tap-fullstory 1.0.x: the columns a drop-in replacement must keep
TAP_FULLSTORY_INTEGERS = ("IndvId", "UserId", "SessionId", "PageId")
TAP_FULLSTORY_COUNTS = (
    "PageDuration",
    "PageActiveDuration",
    "PageNumInfos",
    "PageNumWarnings",
    "PageNumErrors",
)
TAP_FULLSTORY_STRINGS = (
    "EventType",
    "EventTargetText",
    "EventTargetSelectorTok",
    "PageUrl",
    "PageRefererUrl",
    "PageIp",
    "PageLatLong",
    "PageAgent",
    "PageBrowser",
    "PageDevice",
    "PageOperatingSystem",
    "UserAppKey",
    "UserDisplayName",
    "UserEmail",
)
# the rest of the documented export row
EXPORT_INTEGERS = (
    "EventPageOffset",
    "EventSessionOffset",
    "EventModFrustrated",
    "EventModDead",
    "EventModError",
    "EventModSuspicious",
    "EventFirstInputDelay",
    "PageScreenWidth",
    "PageScreenHeight",
    "PageViewportWidth",
    "PageViewportHeight",
    "PageNumEvents",
    "PageNumDerivedEvents",
    "PageClusterId",
    "PageMaxScrollDepthPercent",
    "LoadDomContentTime",
    "LoadEventTime",
    "LoadFirstPaintTime",
    "LoadLargestPaintTime",
    "ReqStatus",
)
EXPORT_STRINGS = (
    "EventSubType",
    "EventCustomName",
    "EventTargetSelector",
    "EventVarErrorKind",
    "EventVarFields",
    "EventWebSourceFileUrl",
    "PageName",
    "PageUserAgent",
    "PageBrowserVersion",
    "PagePlatform",
    "ReqUrl",
    "ReqMethod",
    "AppName",
    "AppPackageName",
    "AppDeviceModel",
    "AppDeviceVendor",
    "AppVersion",
    "AppOsVersion",
    "AppViewName",
    "EventMobileSourceFile",
)
EXPORT_TIMES = ("EventStart", "UserCreated", "SessionStart", "PageStart")
EXPORT_NUMBERS = ("EventCumulativeLayoutShift",)
# export names that tap-fullstory knew under an older name
LEGACY_NAMES = {"PageAgent": "PageUserAgent", "EventTargetSelectorTok": "EventTargetSelector"}
SUFFIX_TYPES = {
    "str": "string",
    "int": "integer",
    "real": "number",
    "bool": "boolean",
    "date": "string",
}


def nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def base_properties() -> dict[str, dict[str, Any]]:
    props: dict[str, dict[str, Any]] = {}
    for name in (*TAP_FULLSTORY_INTEGERS, *TAP_FULLSTORY_COUNTS, *EXPORT_INTEGERS):
        props[name] = nullable("integer")
    for name in (*TAP_FULLSTORY_STRINGS, *EXPORT_STRINGS):
        props[name] = nullable("string")
    for name in EXPORT_TIMES:
        props[name] = nullable("string", format="date-time")
    for name in EXPORT_NUMBERS:
        props[name] = nullable("number")
    props[CATCH_ALL] = nullable("object", additionalProperties=True)
    return props


def custom_var_schema(name: str, sample: Any = None) -> dict[str, Any]:
    """The type a custom variable's suffix names (`_strs` and other plurals are arrays)."""
    suffix = name.rsplit("_", 1)[-1] if "_" in name else ""
    if suffix in SUFFIX_TYPES:
        return nullable(SUFFIX_TYPES[suffix])
    if suffix.endswith("s") and suffix[:-1] in SUFFIX_TYPES:
        return nullable("array", items={"type": [SUFFIX_TYPES[suffix[:-1]], "null"]})
    return value_schema(sample)


def value_schema(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return nullable("boolean")
    if isinstance(value, int):
        return nullable("integer")
    if isinstance(value, float):
        return nullable("number")
    if isinstance(value, dict):
        return nullable("object", additionalProperties=True)
    if isinstance(value, list):
        return nullable("array")
    return nullable("string")


def events_schema(sampled: Iterable[tuple[str, Any]] = ()) -> dict[str, Any]:
    """The `events` schema: fixed columns plus the sampled custom variables."""
    props = base_properties()
    for name, value in sampled:
        if name not in props:
            props[name] = custom_var_schema(name, value)
    return {"type": "object", "properties": props}


USERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "uid": nullable("string"),
        "display_name": nullable("string"),
        "email": nullable("string"),
        "is_being_deleted": nullable("boolean"),
        "properties": nullable("object", additionalProperties=True),
        "app_url": nullable("string"),
    },
}
SESSIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "userId": {"type": "string"},
        "sessionId": {"type": "string"},
        "createdTime": nullable("string", format="date-time"),
        "fsUrl": nullable("string"),
        "uid": nullable("string"),
    },
}


def shape_event(row: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """A bundle row as a record of the schema: legacy names filled in, unknown fields in `CustomVars`."""
    record: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in row.items():
        if key in known and key != CATCH_ALL:
            record[key] = value
        else:
            extra[key] = value
    for old, new in LEGACY_NAMES.items():
        if old not in record and new in row and old in known:
            record[old] = row[new]
    if extra and CATCH_ALL in known:
        record[CATCH_ALL] = extra
    return record
