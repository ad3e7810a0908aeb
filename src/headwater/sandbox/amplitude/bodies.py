"""Request bodies as real clients send them: JSON, form-encoded with repeated keys, or a query string."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from headwater.sandbox.amplitude.errors import bad_request

LIST_FIELDS = ("amplitude_ids", "user_ids")


async def read_params(request: Request, *, json_only: bool = False) -> dict[str, Any]:
    """JSON object when the body is JSON, else form fields (lists for repeated keys), else the query.

    ``json_only`` is strict mode: the deletion and DSAR docs send a JSON body with ``Content-Type:
    application/json`` (amplitude.com/docs/apis/analytics/user-privacy and .../ccpa-dsar; shared/api/
    amplitude.md §1.2 and §2); form fields and query strings, which only old or unverified clients send,
    are a 400.
    """
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if json_only and (content_type != "application/json" or not raw.strip()):
        raise bad_request("The request body must be a JSON object sent as Content-Type: application/json")
    if raw.strip() and (content_type == "application/json" or raw.lstrip()[:1] == b"{"):
        try:
            body = json.loads(raw)
        except ValueError:
            raise bad_request("Invalid JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object")
        return body
    if raw.strip():
        return _flatten(parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return _flatten(parse_qs(request.url.query, keep_blank_values=True))


def _flatten(fields: dict[str, list[str]]) -> dict[str, Any]:
    """Single values stay scalars; id lists stay lists, and a JSON array in one field is unpacked."""
    result: dict[str, Any] = {}
    for raw_key, values in fields.items():
        key = raw_key.removesuffix("[]")
        if key in LIST_FIELDS:
            items: list[Any] = []
            for value in values:
                items.extend(_maybe_json_list(value))
            result[key] = items
        else:
            result[key] = values[-1]
    return result


def _maybe_json_list(value: str) -> list[Any]:
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return [item for item in text.split(",") if item] if "," in text else [text]
