"""Slack incoming webhooks: post one message to the channel a webhook URL is bound to.

The URL is the credential — whoever holds it can post — so it must never reach a log line, an error or a
call record. The HTTP client is therefore built on a stand-in path, and a transport swaps the real path in
at the last moment. Slack answers `ok` as plain text, and refuses with a short plain-text code that is
turned here into a message saying what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from headwater.errors import (
    AuthError,
    BadInput,
    BadRequest,
    HeadwaterError,
    NotFound,
    PermissionDenied,
    ProviderError,
)
from headwater.http import HttpClient, Observer, OutboundTransport, RetryPolicy

PROVIDER = "Slack"
STAND_IN_PATH = "/services/[redacted]"
#: statuses whose plain-text body names the problem; 429 and 5xx go through the HTTP layer's retries
EXPLAINED_STATUSES = frozenset({400, 403, 404, 410})

_FIX_MESSAGE = "Check the step's `text` and `blocks` (Block Kit: https://api.slack.com/block-kit)."
_PAYLOAD_ERRORS = {
    "invalid_payload": "Slack could not read the message as JSON",
    "no_text": "Slack needs `text` (or `blocks`) in the message",
    "invalid_blocks": "Slack refused the message's blocks",
    "invalid_blocks_format": "Slack needs `blocks` to be a list of Block Kit objects",
    "msg_too_long": "The message is longer than Slack accepts",
    "too_many_attachments": "The message has more attachments than Slack accepts",
}
_GONE_ERRORS = {
    "no_service": "This Slack webhook is disabled or was removed",
    "no_team": "The Slack workspace of this webhook no longer exists",
    "team_disabled": "The Slack workspace of this webhook is disabled",
    "channel_not_found": "The channel of this Slack webhook no longer exists",
    "channel_is_archived": "The channel of this Slack webhook is archived",
    "user_not_found": "The person this Slack webhook posts to no longer exists",
}
_REFUSED_ERRORS = {
    "action_prohibited": "A Slack admin does not allow this webhook to post to its channel",
    "posting_to_general_channel_denied": "Only Slack admins may post to this channel",
    "invalid_token": "Slack no longer accepts this webhook's token",
}


def check_webhook_url(url: str | SecretStr) -> httpx.URL:
    """A webhook URL must be an http(s) URL with a path; the message never echoes the URL."""
    text = url.get_secret_value() if isinstance(url, SecretStr) else url
    hint = (
        "Copy the webhook URL from Slack (Apps > Incoming Webhooks); it starts with https://hooks.slack.com/."
    )
    try:
        parsed = httpx.URL(text.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise BadInput("The Slack webhook URL is not a URL.", hint=hint) from None
    if parsed.scheme not in ("http", "https") or not parsed.host or parsed.path in ("", "/"):
        raise BadInput("The Slack webhook URL must be an http(s) URL with a path.", hint=hint)
    return parsed


class _RealPath(httpx.BaseTransport):
    """Sends each request to the webhook's real URL; everything above it only ever sees the stand-in."""

    def __init__(self, url: httpx.URL, inner: httpx.BaseTransport | None) -> None:
        self._url = url
        self._owned = inner is None
        self._inner = inner if inner is not None else OutboundTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        real = httpx.Request(
            request.method,
            self._url,
            headers=request.headers,
            content=request.read(),
            extensions=request.extensions,
        )
        return self._inner.handle_request(real)

    def close(self) -> None:
        if self._owned:
            self._inner.close()


class SlackWebhook:
    """One incoming webhook. `post` raises a typed error whose message says what to do next."""

    def __init__(
        self,
        url: SecretStr,
        *,
        connection: str = "slack",
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        parsed = check_webhook_url(url)
        self.connection = connection
        self._http = HttpClient(
            base_url=f"{parsed.scheme}://{parsed.netloc.decode()}",
            provider=PROVIDER,
            secrets=[url, SecretStr(parsed.raw_path.decode())],
            transport=_RealPath(parsed, transport),
            sleep=sleep,
            observers=list(observers or []),
            retry=retry or RetryPolicy(),
        )

    def __repr__(self) -> str:
        return f"SlackWebhook(connection={self.connection!r})"

    def close(self) -> None:
        self._http.close()

    def post(self, message: dict[str, Any]) -> None:
        """Send `{"text": ..., "blocks": [...]}`; 429 waits out `Retry-After` (see `headwater.http`)."""
        response = self._http.request("POST", STAND_IN_PATH, json=message, ok_statuses=EXPLAINED_STATUSES)
        if response.status_code in EXPLAINED_STATUSES:
            raise slack_error(response.status_code, self._http.scrub(response.text), self.connection)


def slack_error(status: int, body: str, connection: str) -> HeadwaterError:
    """Slack's error code (the whole body, e.g. `channel_not_found`) as an error that says what to do."""
    code = body.strip().splitlines()[0][:100] if body.strip() else f"HTTP {status}"
    reconnect = (
        "Create a new incoming webhook in Slack, then replace the connection: "
        f"`headwater connections remove {connection} --yes` and "
        f"`headwater connect slack --name {connection} --webhook-url-stdin`."
    )
    if code in _PAYLOAD_ERRORS:
        return BadRequest(f"{_PAYLOAD_ERRORS[code]} ({code}).", hint=_FIX_MESSAGE, http_status=status)
    if code in _GONE_ERRORS:
        return NotFound(f"{_GONE_ERRORS[code]} ({code}).", hint=reconnect)
    if code in _REFUSED_ERRORS:
        error = AuthError if code == "invalid_token" else PermissionDenied
        return error(f"{_REFUSED_ERRORS[code]} ({code}).", hint=reconnect)
    return ProviderError(
        f"Slack refused the message with HTTP {status}: {code}.",
        hint="See https://api.slack.com/messaging/webhooks#handling_errors.",
        http_status=status,
    )
