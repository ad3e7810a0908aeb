"""``Idempotency-Key`` replay: the same key on the same route answers with the first reply again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from headwater.sandbox.fullstory.state import FullStoryState


def once(state: FullStoryState, request: Request, run: Callable[[], tuple[int, Any]]) -> JSONResponse:
    """Run ``run`` (under the state lock) unless this key was seen on this route; replay it if so."""
    key = request.headers.get("idempotency-key", "")
    cache_key = (request.method, request.url.path, key)
    with state.lock:
        if key and cache_key in state.idempotent_replies:
            status, body = state.idempotent_replies[cache_key]
            return JSONResponse(body, status, headers={"Idempotent-Replayed": "true"})
        status, body = run()
        if key:
            state.idempotent_replies[cache_key] = (status, body)
    return JSONResponse(body, status)
