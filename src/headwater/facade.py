"""The Python face of Headwater: the same connections, actions and proxy the CLI uses.

Named `facade` so it is not taken for the REST API (`headwater.web.api`); import it as
`from headwater import Headwater`.

hw = Headwater()                       # settings from HEADWATER_* environment variables
fs = hw.connection("fs")
page = fs.run("list-users", {"email": "ann@example.com"})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

from headwater.actions.catalogue import all_actions, find_action
from headwater.actions.intent import search
from headwater.actions.local_files import Face
from headwater.actions.model import Action, Progress, no_progress
from headwater.actions.runner import RunOptions, run_on_connection
from headwater.config import Settings, load_settings
from headwater.connections import Connections, ConnectionSummary, os_user
from headwater.connectors.base import ConnectionInfo, Connector
from headwater.errors import ProviderError
from headwater.proxy import ProxyRequest, ProxyResponse, request_on_connection


class Headwater:
    """Entry point: one store and vault; `transport` (e.g. a sandbox in process) serves every client.

    Changes are audited under `actor`, by default the operating-system user.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        actor: str | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.transport = transport
        self.actor = actor or os_user()

    def __repr__(self) -> str:
        return f"Headwater(home={str(self.settings.home)!r})"

    @cached_property
    def connections(self) -> Connections:
        return Connections.open(self.settings)

    def connect(
        self,
        kind: str,
        name: str,
        *,
        credentials: Mapping[str, str | SecretStr | None],
        settings: Mapping[str, Any] | None = None,
    ) -> ConnectionSummary:
        """Create a connection; the credentials are tested against the provider before they are saved."""
        return self.connections.create(
            kind, name, credentials=credentials, settings=settings, actor=self.actor, transport=self.transport
        )

    def connection(self, name: str, *, transport: httpx.BaseTransport | None = None) -> Connection:
        self.connections.get(name)  # NotFound now rather than at the first call
        return Connection(self, name, transport or self.transport)

    def actions(
        self, provider: str | None = None, *, connection: str | None = None, intent: str | None = None
    ) -> list[Action]:
        """The catalogue, for one provider or connection, ranked by `intent` when given."""
        if connection is not None:
            provider = self.connections.get(connection).kind
        actions = all_actions(provider)
        return search(intent, actions) if intent else actions

    def close(self) -> None:
        if "connections" in self.__dict__:
            self.connections.db.dispose()

    def __enter__(self) -> Headwater:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Connection:
    """One named connection: run its actions, send raw requests, or open its connector."""

    def __init__(self, hw: Headwater, name: str, transport: httpx.BaseTransport | None) -> None:
        self._hw = hw
        self.name = name
        self._transport = transport

    def __repr__(self) -> str:
        return f"Connection(name={self.name!r})"

    @property
    def kind(self) -> str:
        return self._hw.connections.get(self.name).kind

    def info(self) -> ConnectionInfo:
        return self._hw.connections.info(self.name)

    def actions(self, intent: str | None = None) -> list[Action]:
        return self._hw.actions(connection=self.name, intent=intent)

    def action(self, key: str) -> Action:
        return find_action(self.kind, key)

    def run(
        self,
        key: str,
        data: BaseModel | Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        progress: Progress = no_progress,
    ) -> BaseModel:
        """Run an action; `data` is a dict or the action's input model; returns its output model."""
        options = RunOptions(face=Face.PYTHON, transport=self._transport, progress=progress, limit=limit)
        result = run_on_connection(
            self._hw.connections, self.name, key, data, actor=self._hw.actor, options=options
        )
        if result.output is None:  # only a dry run has no output
            raise ProviderError(f"{key} returned no output.")
        return result.output

    def dry_run(self, key: str, data: BaseModel | Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The HTTP request the action would send first, secrets masked; nothing is sent."""
        options = RunOptions(face=Face.PYTHON, dry_run=True)
        result = run_on_connection(
            self._hw.connections, self.name, key, data, actor=self._hw.actor, options=options
        )
        return result.request or {}

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] | Mapping[str, str] = (),
        path_params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> ProxyResponse:
        """A raw call with the connection's base URL and auth injected."""
        pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
        spec = ProxyRequest(
            path=path,
            method=method,
            headers=dict(headers or {}),
            query=pairs,
            path_params=dict(path_params or {}),
            **({"json_body": json} if json is not None else {}),
        )
        return request_on_connection(
            self._hw.connections, self.name, spec, actor=self._hw.actor, transport=self._transport
        )

    def connector(self) -> Connector:
        return self._hw.connections.open_connector(self.name, transport=self._transport)

    def client(self) -> Any:
        """The provider's typed client (close it when done, or use it in a `with` block)."""
        return self._hw.connections.open_client(self.name, transport=self._transport)
