"""Injected latency and failures, so retry, resume and decompression paths get exercised on purpose.

Random faults (``fault_rate``) are the transient kinds a client should retry its way through. Forced
faults (``force``) also have the permanent ones a client must not retry — 401, 403, 404 with the
provider's own error body — and ``timeout``: the request is held for ``hold_seconds`` before it goes
through, so a client whose read timeout is shorter gives up while the provider still does the work (the
call log shows the request, with the status it was answered with, once it has completed). A timeout
needs a real socket (``SandboxServer``); an in-process transport simply waits.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from headwater.sandbox.common.calllog import SANDBOX_PREFIX

SERVER_ERROR = "server_error"
RATE_BURST = "rate_burst"
DROP = "drop"
TRUNCATE = "truncate"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
TIMEOUT = "timeout"
#: the permanent kinds, forced only: a random 401 would only teach a client to retry what it must not
CLIENT_ERRORS = {UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404}
KINDS = (SERVER_ERROR, RATE_BURST, DROP, TRUNCATE, *CLIENT_ERRORS, TIMEOUT)
DEFAULT_HOLD_SECONDS = 5.0
#: long enough to outlast a client's default 60 s read timeout, short enough that nothing hangs for good
MAX_HOLD_SECONDS = 120.0


@dataclass(frozen=True)
class Fault:
    kind: str
    hold_seconds: float = 0.0  # `timeout` only

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind} | ({"hold_seconds": self.hold_seconds} if self.kind == TIMEOUT else {})


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
        self._forced: list[Fault] = []

    def force(self, kind: str, count: int = 1, *, hold_seconds: float = DEFAULT_HOLD_SECONDS) -> None:
        """Make the next ``count`` requests fail with ``kind`` whatever the rate; for targeted tests.
        ``hold_seconds`` is how long a ``timeout`` holds each request."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose one of {', '.join(KINDS)}")
        if not 0 < hold_seconds <= MAX_HOLD_SECONDS:
            raise ValueError(f"hold_seconds must lie above 0 and at most {MAX_HOLD_SECONDS:g}")
        fault = Fault(kind, hold_seconds if kind == TIMEOUT else 0.0)
        with self._lock:
            self._forced.extend([fault] * count)

    def pending(self) -> list[Fault]:
        """The forced faults still to come, in order."""
        with self._lock:
            return list(self._forced)

    def clear(self) -> int:
        """Drop forced faults and any burst under way: requests go through again (at the random rate, if
        one was set). Returns how many forced faults were dropped."""
        with self._lock:
            dropped = len(self._forced)
            self._forced.clear()
            self._burst_left = 0
            return dropped

    def pick(self, *, download: bool) -> Fault | None:
        with self._lock:
            if self._forced:
                fault = self._forced.pop(0)
            elif self._burst_left > 0:
                self._burst_left -= 1
                return Fault(RATE_BURST)
            elif self.rate <= 0 or self._random.random() >= self.rate:
                return None
            else:
                kinds = [SERVER_ERROR, RATE_BURST, DROP] + ([TRUNCATE, TRUNCATE] if download else [])
                fault = Fault(self._random.choice(kinds))
            if fault.kind == RATE_BURST:
                self._burst_left = self.burst_length
            return fault

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
        fault = self.injector.pick(download=scope["path"].startswith(self.download_prefixes))
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == TIMEOUT:
            await asyncio.sleep(fault.hold_seconds)
            await self.app(scope, receive, send)
        elif fault.kind in CLIENT_ERRORS:
            await self._error(send, CLIENT_ERRORS[fault.kind])
        elif fault.kind == SERVER_ERROR:
            await self._error(send, self.injector.server_error_status())
        elif fault.kind == RATE_BURST:
            await self._error(send, 429)
        elif fault.kind == DROP:
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
