"""The deterministic people and activity that both emulators serve."""

from headwater.sandbox.world.model import Event, Person, Session
from headwater.sandbox.world.world import World

__all__ = ["Event", "Person", "Session", "World"]
