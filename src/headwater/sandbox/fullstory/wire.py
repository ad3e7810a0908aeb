"""Wire-format conventions: timestamps, JSON bodies, opaque page tokens, snake/camel parameters."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import Request

from headwater.sandbox.fullstory import errors


def rfc3339(moment: datetime) -> str:
    """Millisecond precision with a ``Z``, as FullStory writes times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_time(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise errors.invalid(f"{field} must be an RFC 3339 timestamp")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise errors.invalid(f"{field} must be an RFC 3339 timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def optional_time(value: Any, field: str) -> datetime | None:
    return None if value in (None, "") else parse_time(value, field)


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; an empty body counts as ``{}``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise errors.invalid("request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise errors.invalid("request body must be a JSON object")
    return body


def pick(data: dict[str, Any], camel: str, snake: str, default: Any = None) -> Any:
    """v1-family endpoints accept both spellings; camelCase wins when both are sent."""
    if camel in data:
        return data[camel]
    return data.get(snake, default)


def query_value(request: Request, camel: str, snake: str) -> str | None:
    return request.query_params.get(camel) or request.query_params.get(snake)


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"hw:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "hw" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except ValueError:
        raise errors.invalid("page token is not valid") from None


def limit_value(raw: str | None, default: int, maximum: int) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise errors.invalid("limit must be a positive integer")
    return min(int(raw), maximum)
