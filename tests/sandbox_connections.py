"""Connections `fs` (FullStory) and `amp` (Amplitude) to a running sandbox, made through the service:
the set-up that privacy, web and browser tests share."""

from __future__ import annotations

from typing import Any

from headwater.connections import Connections
from headwater.privacy.transport import shared_transport
from headwater.sandbox import SandboxServer


def connect_sandbox(
    connections: Connections,
    sandbox: SandboxServer,
    *,
    actor: str = "setup",
    fs: dict[str, Any] | None = None,
    amp: dict[str, Any] | None = None,
) -> None:
    """Create `fs` and `amp`; `fs` and `amp` add settings (e.g. identify_by) to each."""
    creds = sandbox.credentials
    connections.create(
        "fullstory",
        "fs",
        credentials={"api_key": creds.fullstory_admin_key},
        settings={"base_url": sandbox.fullstory_url, **(fs or {})},
        actor=actor,
        transport=shared_transport(),
    )
    connect_amplitude(connections, sandbox, "amp", actor=actor, **(amp or {}))


def connect_amplitude(
    connections: Connections,
    sandbox: SandboxServer,
    name: str,
    *,
    actor: str = "setup",
    org_keys: bool = False,
    **settings: Any,
) -> None:
    """With `org_keys`, the organization's key pair too (data access requests need it)."""
    creds = sandbox.credentials
    credentials = {"api_key": creds.amplitude_api_key, "secret_key": creds.amplitude_secret_key}
    if org_keys:
        credentials |= {
            "org_api_key": creds.amplitude_org_api_key,
            "org_secret_key": creds.amplitude_org_secret_key,
        }
    connections.create(
        "amplitude",
        name,
        credentials=credentials,
        settings={"base_url": sandbox.amplitude_url, **settings},
        actor=actor,
        transport=shared_transport(),
    )
