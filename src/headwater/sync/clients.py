"""The HTTP client a sync extracts with, built from a stored connection by its provider's own rules.

FullStory's client exposes its authenticated `HttpClient`; Amplitude's keeps the one its Export API
uses private, so an equivalent is built here from the connection with Amplitude's own helpers (the same
Basic key pair, host and hints).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from pydantic import SecretStr

from headwater.connections import Connections, on_behalf_of
from headwater.connectors.amplitude.client import PROVIDER as AMPLITUDE
from headwater.connectors.amplitude.client import basic, hints
from headwater.connectors.amplitude.settings import AmplitudeSettings
from headwater.connectors.amplitude.spec import parse_settings as amplitude_settings
from headwater.errors import BadInput
from headwater.http import HttpClient, Observer

SUPPORTED = ("fullstory", "amplitude")


@contextmanager
def export_http(
    connections: Connections,
    name: str,
    *,
    transport: httpx.BaseTransport | None = None,
    observers: list[Observer] | None = None,
) -> Iterator[HttpClient]:
    """An authenticated client on the connection's export host; closed when the block ends."""
    info = connections.usable_info(name)
    if info.kind == "fullstory":
        client = connections.open_client(name, transport=transport, observers=observers)
        try:
            yield client.http
        finally:
            client.close()
        return
    if info.kind == "amplitude":
        key, secret = info.secret("api_key"), info.secret("secret_key")
        http = amplitude_http(
            key,
            secret,
            amplitude_settings(info),
            transport=on_behalf_of(info, transport),
            observers=observers,
        )
        try:
            yield http
        finally:
            http.close()
        return
    raise BadInput(
        f"Connection {name!r} is a {info.kind} connection; sync supports {' and '.join(SUPPORTED)}.",
    )


def amplitude_http(
    api_key: SecretStr,
    secret_key: SecretStr,
    settings: AmplitudeSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    observers: list[Observer] | None = None,
) -> HttpClient:
    """The project-key client on Amplitude's REST host, where the Export API lives."""
    return HttpClient(
        base_url=settings.rest_url,
        provider=AMPLITUDE,
        auth_headers={"Authorization": basic(api_key, secret_key)},
        secrets=[api_key, secret_key],
        transport=transport,
        observers=list(observers or []),
        hints=hints(settings),
    )
