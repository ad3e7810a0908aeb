"""Injected latency and failures, so retry, resume and decompression paths get exercised on purpose."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from headwater.sandbox.common.calllog import SANDBOX_PREFIX

SERVER_ERROR = "server_error"
RATE_BURST = "rate_burst"
DROP = "drop"
TRUNCATE = "truncate"
KINDS = (SERVER_ERROR, RATE_BURST, DROP, TRUNCATE)


class DroppedConnection(Exception):
    """Raised inside the server to make uvicorn close the socket mid-response."""


class _Truncated(Exception):
    """Stops the wrapped app once the truncated body has been sent."""


def generic_error_body(status: int) -> bytes:
    return b'{"message": "sandbox injected fault", "code": "server_error", "status": %d}' % status


class FaultInjector:
    """Decides, per request and with probability ``rate``, which fault (if any) to inject.

    A 429 fault starts a burst: the next ``burst_length`` requests are refused too. Deterministic for a
    seed and a request order.
    """

    def __init__(
        self, rate: float = 0.0, seed: int = 1, *, latency_ms: int = 0, burst_length: int = 2
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must lie between 0 and 1")
        self.rate = rate
        self.latency_ms = latency_ms
        self.burst_length = burst_length
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._burst_left = 0
        self._forced: list[str] = []

    def force(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` requests fail with ``kind`` whatever the rate; for targeted tests."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose one of {', '.join(KINDS)}")
        with self._lock:
            self._forced.extend([kind] * count)

    def clear(self) -> None:
        """Drop forced faults and any burst under way: requests go through again."""
        with self._lock:
            self._forced.clear()
            self._burst_left = 0

    def pick(self, *, download: bool) -> str | None:
        with self._lock:
            if self._forced:
                kind = self._forced.pop(0)
            elif self._burst_left > 0:
                self._burst_left -= 1
                return RATE_BURST
            elif self.rate <= 0 or self._random.random() >= self.rate:
                return None
            else:
                kinds = [SERVER_ERROR, RATE_BURST, DROP] + ([TRUNCATE, TRUNCATE] if download else [])
                kind = self._random.choice(kinds)
            if kind == RATE_BURST:
                self._burst_left = self.burst_length
            return kind

    def server_error_status(self) -> int:
        with self._lock:
            return self._random.choice((500, 503))


class FaultMiddleware:
    """ASGI middleware applying a :class:`FaultInjector`; ``/_sandbox/*`` is never disturbed."""

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        error_body: Callable[[int], bytes] = generic_error_body,
        download_prefixes: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.injector = injector
        self.error_body = error_body
        self.download_prefixes = tuple(download_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SANDBOX_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.injector.latency_ms > 0:
            await asyncio.sleep(self.injector.latency_ms / 1000.0)
        kind = self.injector.pick(download=scope["path"].startswith(self.download_prefixes))
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == SERVER_ERROR:
            await self._error(send, self.injector.server_error_status())
        elif kind == RATE_BURST:
            await self._error(send, 429)
        elif kind == DROP:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4096")]}
            )
            raise DroppedConnection("sandbox dropped the connection on purpose")
        else:
            await self._truncated(scope, receive, send)

    async def _error(self, send: Send, status: int) -> None:
        body = self.error_body(status)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status in (429, 503):
            headers.append((b"retry-after", b"1"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the response through but end the body halfway through its first chunk."""

        async def cut(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
                await send({**message, "headers": headers})
                return
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                await send({"type": "http.response.body", "body": body[: max(1, len(body) // 2)]})
                raise _Truncated
            await send(message)

        try:
            await self.app(scope, receive, cut)
        except _Truncated:
            return
