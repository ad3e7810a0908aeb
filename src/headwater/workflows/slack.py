"""Slack for workflows: the `slack/post` step, and connecting a webhook (posting a test only if asked).

The webhook URL is read from the vault when the step runs and handed straight to the webhook client;
it is never part of a step's inputs, so it cannot reach the run log.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field, SecretStr, model_validator

from headwater.connections import NAME, Connections, ConnectionSummary, on_behalf_of
from headwater.connectors.slack.spec import CREDENTIAL
from headwater.connectors.slack.webhook import SlackWebhook, check_webhook_url
from headwater.connectors.transport import borrowed
from headwater.connectors.verify import not_saved
from headwater.errors import BadInput, Conflict, HeadwaterError, NotFound
from headwater.workflows.model import Strict
from headwater.workflows.steps import Output, StepCall


class SlackPostInput(Strict):
    text: str | None = Field(
        default=None,
        max_length=40_000,
        description="The message (mrkdwn); with blocks, the text of the notification.",
    )
    blocks: list[dict[str, Any]] | None = Field(
        default=None, max_length=50, description="Block Kit blocks: header, section, context, divider…"
    )
    unfurl_links: bool | None = Field(default=None, description="Let Slack preview linked pages.")
    unfurl_media: bool | None = Field(default=None, description="Let Slack preview linked media.")

    @model_validator(mode="after")
    def _something(self) -> SlackPostInput:
        if not (self.text or "").strip() and not self.blocks:
            raise ValueError("give text, blocks, or both")
        return self


def slack_post(call: StepCall) -> Output:
    message = SlackPostInput.model_validate(call.inputs).model_dump(exclude_none=True)
    info = call.env.connection(call.connection, kind="slack", step=call.step_id)

    def send() -> Output:
        webhook = SlackWebhook(
            info.secret(CREDENTIAL),
            connection=info.name,
            transport=on_behalf_of(info, call.env.transport),
            sleep=call.env.sleep,
        )
        try:
            webhook.post(message)
        finally:
            webhook.close()
        return {"posted": True, "connection": info.name}

    return call.env.once(call.effect_key, send, "repeatable")


def test_message(name: str) -> dict[str, Any]:
    text = f"Headwater can post here: the Slack connection `{name}` is set up."
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def connect_slack(
    connections: Connections,
    name: str,
    webhook_url: SecretStr,
    *,
    test: bool,
    actor: str,
    transport: httpx.BaseTransport | None = None,
) -> ConnectionSummary:
    """Store the webhook as connection `name`; with `test`, post a message first and save only if it lands.

    Without `test` nothing is sent: posting is the only real test of a webhook, and the channel sees it.
    """
    check_webhook_url(webhook_url)
    if not NAME.match(name):
        raise BadInput(
            f"Invalid connection name {name!r}.",
            hint="Use up to 100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
        )
    try:
        connections.get(name)
    except NotFound:
        pass
    else:
        raise Conflict(f"A connection named {name!r} already exists.", hint="Choose another --name.")
    if test:
        webhook = SlackWebhook(webhook_url, connection=name, transport=borrowed(transport))
        try:
            webhook.post(test_message(name))
        except HeadwaterError as exc:
            raise not_saved(exc, name) from None
        finally:
            webhook.close()
    return connections.create(
        "slack", name, credentials={CREDENTIAL: webhook_url}, actor=actor, transport=transport
    )
