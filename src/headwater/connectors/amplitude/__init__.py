"""Amplitude: a typed client for its privacy, lookup, export and ingestion APIs, its actions, and its
privacy connector."""

from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.connector import AmplitudeConnector
from headwater.connectors.amplitude.settings import AmplitudeSettings
from headwater.connectors.amplitude.spec import AmplitudeSpec, spec

__all__ = ["AmplitudeClient", "AmplitudeConnector", "AmplitudeSettings", "AmplitudeSpec", "spec"]
