"""Slack as a connection kind: a named incoming-webhook URL kept in the vault, for workflows to post with.

Slack holds none of the customer data Headwater manages, so its connector finds nobody and deletes
nothing. Its test checks the URL's shape only: the one real test is a visible message in the channel,
which `headwater connect slack --test` sends when asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from headwater.actions.model import Action
from headwater.connectors.base import ConnectionInfo, Connector, Identity, ProviderJob, ProviderSpec, Subject
from headwater.connectors.slack.webhook import SlackWebhook, check_webhook_url
from headwater.http import Observer

CREDENTIAL = "webhook_url"


class SlackSettings(BaseModel):
    """Nothing to set: the webhook URL names the workspace and the channel."""

    model_config = ConfigDict(extra="forbid")


class SlackConnector(Connector):
    kind = "slack"

    def __init__(self, info: ConnectionInfo) -> None:
        self._info = info

    def test(self) -> None:
        check_webhook_url(self._info.secret(CREDENTIAL))

    def resolve(self, subject: Subject) -> list[Identity]:
        return []

    def delete(self, identities: Sequence[Identity]) -> list[ProviderJob]:
        return []

    def poll(self, job: ProviderJob) -> ProviderJob:
        return job

    def export_subject(self, identity: Identity) -> Iterator[tuple[str, Any]]:
        return iter(())

    def close(self) -> None:
        """Nothing is held open."""


class SlackSpec(ProviderSpec):
    kind = "slack"
    title = "Slack"
    holds_personal_data = False

    def settings_model(self) -> type[BaseModel]:
        return SlackSettings

    def credential_names(self) -> tuple[str, ...]:
        return (CREDENTIAL,)

    def client(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> SlackWebhook:
        return SlackWebhook(
            info.secret(CREDENTIAL), connection=info.name, transport=transport, observers=observers
        )

    def connector(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> SlackConnector:
        return SlackConnector(info)

    def actions(self) -> list[Action]:
        """Workflows post with the built-in `slack/post` step rather than a catalogue action."""
        return []


spec = SlackSpec()
