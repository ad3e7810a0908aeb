"""How the rest of Headwater builds Amplitude clients, connectors and actions from a connection.

The project key pair is required; the organization-level pair (for data access requests) is optional
and read when the connection has it as `org_api_key` / `org_secret_key`.
"""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ValidationError

from headwater.actions.model import Action, describe_errors
from headwater.connectors.amplitude.actions import all_actions
from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.connector import AmplitudeConnector
from headwater.connectors.amplitude.settings import AmplitudeSettings
from headwater.connectors.amplitude.source import AmplitudeEvents
from headwater.connectors.base import ConnectionInfo, ProviderSpec
from headwater.errors import ConfigError
from headwater.http import Observer

OPTIONAL_CREDENTIALS = ("org_api_key", "org_secret_key")


class AmplitudeSpec(ProviderSpec):
    kind = "amplitude"
    title = "Amplitude"
    events = AmplitudeEvents()

    def settings_model(self) -> type[BaseModel]:
        return AmplitudeSettings

    def credential_names(self) -> tuple[str, ...]:
        return ("api_key", "secret_key")

    def client(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> AmplitudeClient:
        return AmplitudeClient(
            info.secret("api_key"),
            info.secret("secret_key"),
            parse_settings(info),
            org_api_key=info.credentials.get("org_api_key"),
            org_secret_key=info.credentials.get("org_secret_key"),
            transport=transport,
            observers=observers,
        )

    def connector(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> AmplitudeConnector:
        return AmplitudeConnector(self.client(info, transport=transport, observers=observers))

    def actions(self) -> list[Action]:
        return all_actions()


def parse_settings(info: ConnectionInfo) -> AmplitudeSettings:
    try:
        return AmplitudeSettings.model_validate(info.settings)
    except ValidationError as exc:
        raise ConfigError(
            f"Connection {info.name!r} has invalid Amplitude settings: {describe_errors(exc)}.",
            hint="Reconnect with `headwater connect amplitude` (region: us|eu; identify_by: email|user-id).",
        ) from None


spec = AmplitudeSpec()
