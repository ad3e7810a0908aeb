"""Providers behind one small seam: `base` holds the types, `registry` finds the packages."""

from headwater.connectors.base import (
    ConnectionInfo,
    Connector,
    Identity,
    NeedsInput,
    ProviderJob,
    ProviderSpec,
    Subject,
)
from headwater.connectors.registry import get_provider, kinds, providers

__all__ = [
    "ConnectionInfo",
    "Connector",
    "Identity",
    "NeedsInput",
    "ProviderJob",
    "ProviderSpec",
    "Subject",
    "get_provider",
    "kinds",
    "providers",
]
