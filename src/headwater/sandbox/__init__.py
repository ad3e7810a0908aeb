"""Local emulators of the FullStory and Amplitude APIs over one deterministic world of people.

The app factories are imported lazily so that importing the world or the clock stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common.state import SandboxOptions
from headwater.sandbox.credentials import SandboxCredentials
from headwater.sandbox.world import World

if TYPE_CHECKING:
    from headwater.sandbox.amplitude import create_amplitude_app
    from headwater.sandbox.fullstory import create_fullstory_app
    from headwater.sandbox.server import SandboxServer

__all__ = [
    "SandboxClock",
    "SandboxCredentials",
    "SandboxOptions",
    "SandboxServer",
    "World",
    "create_amplitude_app",
    "create_fullstory_app",
]


def __getattr__(name: str) -> Any:
    if name == "create_fullstory_app":
        from headwater.sandbox.fullstory import create_fullstory_app

        return create_fullstory_app
    if name == "create_amplitude_app":
        from headwater.sandbox.amplitude import create_amplitude_app

        return create_amplitude_app
    if name == "SandboxServer":
        from headwater.sandbox.server import SandboxServer

        return SandboxServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
