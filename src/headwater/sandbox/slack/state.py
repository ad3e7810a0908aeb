"""What the Slack receiver remembers: its webhooks, the messages they received and forced refusals."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common.calllog import CallLog
from headwater.sandbox.common.limits import BucketSpec, RateLimiter

HOOK_PREFIX = "/services/"
DEFAULT_HOOK = "/services/T0HWSBX00/B0HWSBX00/hwsandbox0slack0webhook0tok"
DEFAULT_CHANNEL = "#headwater-demo"
#: Slack allows about one message a second per webhook, with short bursts
HOOK_BUCKET = BucketSpec(rate=1.0, burst=5.0)

#: the HTTP status Slack answers each error code with
ERROR_STATUSES = {
    "invalid_payload": 400,
    "no_text": 400,
    "invalid_blocks": 400,
    "invalid_blocks_format": 400,
    "msg_too_long": 400,
    "user_not_found": 400,
    "action_prohibited": 403,
    "posting_to_general_channel_denied": 403,
    "invalid_token": 403,
    "no_service": 404,
    "channel_not_found": 404,
    "channel_is_archived": 410,
    "rate_limited": 429,
    "rollup_error": 500,
}


@dataclass(frozen=True)
class ForcedError:
    code: str
    retry_after: int = 1
    channel: str | None = None  # None: whichever webhook is posted to next


class HookMaskingCallLog(CallLog):
    """The call log, without the secret part of webhook paths."""

    def record(self, method: str, path: str, query: str, status: int) -> None:
        if path.startswith(HOOK_PREFIX):
            path = "/".join(path.split("/")[:4]) + "/[redacted]"
        super().record(method, path, query, status)


class SlackState:
    def __init__(self, clock: SandboxClock, *, rate_limits: bool) -> None:
        self.clock = clock
        self.calls = HookMaskingCallLog(clock)
        self.lock = threading.Lock()
        self.hooks: dict[str, str] = {DEFAULT_HOOK: DEFAULT_CHANNEL}  # path -> channel
        self.messages: list[dict[str, Any]] = []
        self.forced: list[ForcedError] = []
        self.limiter = RateLimiter({"hook": HOOK_BUCKET}, enabled=rate_limits)

    def add_hook(self, channel: str) -> str:
        path = f"/services/T0HWSBX00/B{secrets.token_hex(4).upper()}/{secrets.token_urlsafe(18)}"
        with self.lock:
            self.hooks[path] = channel
        return path

    def force(self, code: str, count: int, retry_after: int, channel: str | None = None) -> None:
        with self.lock:
            self.forced.extend([ForcedError(code, retry_after, channel)] * count)

    def next_forced(self, path: str) -> ForcedError | None:
        """The first forced refusal meant for this webhook's channel (or for any), used up."""
        with self.lock:
            for forced in self.forced:
                if forced.channel in (None, self.hooks[path]):
                    self.forced.remove(forced)
                    return forced
            return None

    def keep(self, path: str, message: dict[str, Any]) -> None:
        with self.lock:
            channel = self.hooks[path]
            self.messages.append({"channel": channel, **message, "received_at": self.clock.now().isoformat()})


def get_state(request: Request) -> SlackState:
    state: SlackState = request.app.state.sandbox
    return state
