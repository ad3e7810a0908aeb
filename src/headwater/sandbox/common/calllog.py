"""A record of every request an emulator answered, so tests can assert exactly what a client sent."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from headwater.sandbox.clock import SandboxClock

SANDBOX_PREFIX = "/_sandbox"


class CallLog:
    """Thread-safe list of ``{"method", "path", "query", "status", "time"}``; skips ``/_sandbox/*``.

    ``status`` is 0 when the emulator dropped the connection without a complete response.
    """

    def __init__(self, clock: SandboxClock | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []

    def record(self, method: str, path: str, query: str, status: int) -> None:
        if path.startswith(SANDBOX_PREFIX):
            return
        moment = self._clock.now() if self._clock is not None else datetime.now(UTC)
        entry = {"method": method, "path": path, "query": query, "status": status, "time": moment.isoformat()}
        with self._lock:
            self._calls.append(entry)

    def calls(self, path_prefix: str = "") -> list[dict[str, Any]]:
        with self._lock:
            return [dict(call) for call in self._calls if call["path"].startswith(path_prefix)]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


class CallLogMiddleware:
    """Outermost ASGI layer: records the status the client really saw, including injected faults."""

    def __init__(self, app: ASGIApp, calllog: CallLog) -> None:
        self.app = app
        self.calllog = calllog

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except BaseException:
            status = 0
            raise
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            self.calllog.record(scope["method"], scope["path"], query, status)
