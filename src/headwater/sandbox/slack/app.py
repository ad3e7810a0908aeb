"""Build the Slack receiver: incoming webhooks that check payloads like Slack and keep what they got.

`POST /services/...` answers `ok`, or Slack's plain-text error code with its status. The control routes
need no key: `GET|DELETE /_sandbox/slack/messages` (what was received), `POST /_sandbox/slack/hooks`
(another webhook, for another channel) and `POST /_sandbox/slack/errors` (refuse the next posts, or the
next posts to one channel, with a chosen code, e.g. `rate_limited` with a `Retry-After`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common.calllog import CallLogMiddleware
from headwater.sandbox.common.limits import retry_after_header
from headwater.sandbox.common.routes import sandbox_router
from headwater.sandbox.common.state import SandboxOptions
from headwater.sandbox.slack.payload import PayloadError, check_message, parse_body
from headwater.sandbox.slack.state import DEFAULT_CHANNEL, ERROR_STATUSES, SlackState, get_state


class NewHook(BaseModel):
    channel: str = DEFAULT_CHANNEL


class ForcedErrors(BaseModel):
    code: str
    count: int = Field(default=1, ge=1)
    retry_after: int = Field(default=1, ge=0)
    channel: str | None = None


def create_slack_app(*, clock: SandboxClock | None = None, options: SandboxOptions | None = None) -> FastAPI:
    """A fresh receiver; its state lives on ``app.state.sandbox``."""
    options = options if options is not None else SandboxOptions()
    state = SlackState(clock if clock is not None else SandboxClock(), rate_limits=options.rate_limits)
    app = FastAPI(
        title="Slack incoming webhook emulator",
        docs_url=None,
        redoc_url=None,
        openapi_url="/_sandbox/openapi.json",
    )
    app.state.sandbox = state
    app.include_router(_webhooks())
    app.include_router(_controls())
    app.include_router(sandbox_router(state.clock, state.calls))
    app.add_middleware(CallLogMiddleware, calllog=state.calls)
    return app


def _refusal(code: str, retry_after: int | None = None) -> PlainTextResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return PlainTextResponse(code, status_code=ERROR_STATUSES.get(code, 400), headers=headers)


def _webhooks() -> APIRouter:
    router = APIRouter()

    @router.post("/services/{rest:path}", response_class=PlainTextResponse)
    async def receive(rest: str, request: Request, state: SlackState = Depends(get_state)) -> Any:
        path = f"/services/{rest}"
        if path not in state.hooks:
            return _refusal("no_service")
        forced = state.next_forced(path)
        if forced is not None:
            return _refusal(forced.code, forced.retry_after if forced.code == "rate_limited" else None)
        wait = state.limiter.check(path, "hook")
        if wait is not None:
            return _refusal("rate_limited", int(retry_after_header(wait)))
        try:
            message = parse_body(await request.body(), request.headers.get("content-type", ""))
            check_message(message)
        except PayloadError as error:
            return _refusal(error.code)
        state.keep(path, message)
        return PlainTextResponse("ok")

    return router


def _controls() -> APIRouter:
    router = APIRouter(prefix="/_sandbox/slack", tags=["sandbox"])

    @router.get("/messages")
    def messages(state: SlackState = Depends(get_state)) -> dict[str, list[dict[str, Any]]]:
        with state.lock:
            return {"messages": [dict(message) for message in state.messages]}

    @router.delete("/messages")
    def clear(state: SlackState = Depends(get_state)) -> dict[str, bool]:
        with state.lock:
            state.messages.clear()
        return {"cleared": True}

    @router.post("/hooks")
    def add_hook(body: NewHook, request: Request, state: SlackState = Depends(get_state)) -> dict[str, str]:
        path = state.add_hook(body.channel)
        return {"channel": body.channel, "url": f"{str(request.base_url).rstrip('/')}{path}"}

    @router.post("/errors")
    def force(body: ForcedErrors, state: SlackState = Depends(get_state)) -> dict[str, Any]:
        if body.code not in ERROR_STATUSES:
            raise HTTPException(400, f"unknown code; choose one of {', '.join(sorted(ERROR_STATUSES))}")
        state.force(body.code, body.count, body.retry_after, body.channel)
        return body.model_dump()

    return router
