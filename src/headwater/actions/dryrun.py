"""Dry runs: build the provider client on a transport that stops at the first request and hands it back.

Provider code needs nothing special for this; the request it would have sent is described with every
secret masked — auth headers, secret query parameters, secret JSON fields and any credential value that
appears anywhere else in the body.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from pydantic import SecretStr

from headwater.http import REDACTED, SECRET_PARAMS, redact_headers, redact_url

MAX_BODY_CHARS = 20_000


class DryRunRequest(Exception):
    """Raised by `DryRunTransport` instead of sending; the runner catches it."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(f"dry run: stopped before {request.method} {redact_url(request.url)}")
        self.request = request


class DryRunTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise DryRunRequest(request)


def describe_request(request: httpx.Request, secrets: Iterable[SecretStr] = ()) -> dict[str, Any]:
    """Method, URL, headers and body of a request, safe to print."""
    values = [s.get_secret_value() for s in secrets if s.get_secret_value()]

    def scrub(text: str) -> str:
        for value in values:
            text = text.replace(value, REDACTED)
        return text

    headers = {k: scrub(v) for k, v in redact_headers(dict(request.headers)).items()}
    return {
        "method": request.method,
        "url": scrub(redact_url(request.url)),
        "headers": headers,
        "body": _body(request, scrub),
    }


def _body(request: httpx.Request, scrub: Any) -> Any:
    content = request.read()
    if not content:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(content)} bytes of binary data>"
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        try:
            return _redact_json(json.loads(text), scrub)
        except ValueError:
            pass
    if "x-www-form-urlencoded" in kind:
        pairs = [(k, REDACTED if k.lower() in SECRET_PARAMS else scrub(v)) for k, v in parse_qsl(text, True)]
        return urlencode(pairs)
    text = scrub(text)
    return text if len(text) <= MAX_BODY_CHARS else text[:MAX_BODY_CHARS] + "…"


def _redact_json(value: Any, scrub: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: REDACTED if k.lower() in SECRET_PARAMS else _redact_json(v, scrub) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(v, scrub) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value
