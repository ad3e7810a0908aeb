"""The legacy data-export bundle timeline: fixed periods that exist once the clock passes their end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from headwater.sandbox.fullstory.state import FullStoryState
from headwater.sandbox.fullstory.stream import Window

PAGE_SIZE = 20


@dataclass(frozen=True)
class Bundle:
    """Bundle ``id`` is the period's number since the Unix epoch, so ids are stable across restarts."""

    id: int
    start: int
    stop: int

    def window(self) -> Window:
        return Window(datetime.fromtimestamp(self.start, UTC), datetime.fromtimestamp(self.stop, UTC))

    def to_json(self) -> dict[str, int]:
        return {"Id": self.id, "Start": self.start, "Stop": self.stop}


def _bounds(state: FullStoryState) -> tuple[int, int]:
    """First and last (inclusive) bundle numbers available now; last < first means none yet."""
    period = state.bundle_seconds
    with state.lock:
        earliest = state.ingested.earliest()
    origin = state.world.start if earliest is None else min(state.world.start, earliest)
    first = int(origin.timestamp()) // period
    last = int(state.clock.now().timestamp()) // period - 1
    return first, last


def bundle(state: FullStoryState, number: int) -> Bundle:
    period = state.bundle_seconds
    return Bundle(number, number * period, (number + 1) * period)


def list_after(state: FullStoryState, start: int) -> list[Bundle]:
    """Up to 20 bundles whose Stop is after ``start``, oldest first."""
    first, last = _bounds(state)
    begin = max(first, start // state.bundle_seconds)
    return [bundle(state, number) for number in range(begin, min(last, begin + PAGE_SIZE - 1) + 1)]


def find(state: FullStoryState, number: int) -> Bundle | None:
    first, last = _bounds(state)
    return bundle(state, number) if first <= number <= last else None
