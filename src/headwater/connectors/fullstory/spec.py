"""How the rest of Headwater builds FullStory clients, connectors and actions from a connection."""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ValidationError

from headwater.actions.model import Action, describe_errors
from headwater.connectors.base import ConnectionInfo, ProviderSpec
from headwater.connectors.fullstory.actions import all_actions
from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.connector import FullStoryConnector
from headwater.connectors.fullstory.settings import FullStorySettings
from headwater.connectors.fullstory.source import FullStoryEvents
from headwater.errors import ConfigError
from headwater.http import Observer


class FullStorySpec(ProviderSpec):
    kind = "fullstory"
    title = "FullStory"
    events = FullStoryEvents()

    def settings_model(self) -> type[BaseModel]:
        return FullStorySettings

    def credential_names(self) -> tuple[str, ...]:
        return ("api_key",)

    def client(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> FullStoryClient:
        return FullStoryClient(
            info.secret("api_key"), parse_settings(info), transport=transport, observers=observers
        )

    def connector(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> FullStoryConnector:
        return FullStoryConnector(self.client(info, transport=transport, observers=observers))

    def actions(self) -> list[Action]:
        return all_actions()


def parse_settings(info: ConnectionInfo) -> FullStorySettings:
    try:
        return FullStorySettings.model_validate(info.settings)
    except ValidationError as exc:
        raise ConfigError(
            f"Connection {info.name!r} has invalid FullStory settings: {describe_errors(exc)}.",
            hint="Fix them with `headwater connect fullstory` (region: na or eu; identify_by: email or uid).",
        ) from None


spec = FullStorySpec()
