"""Events sent to the emulator (POST /v2/events, batch imports, v1 customevent), kept in time order."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, order=True)
class IngestedEvent:
    """A custom event as FullStory stored it; ordered by time then arrival."""

    time: datetime
    sequence: int
    user_id: str = field(compare=False)
    session_id: int = field(compare=False, default=0)
    name: str = field(compare=False, default="")
    properties: dict[str, Any] = field(compare=False, default_factory=dict)
    context: dict[str, Any] = field(compare=False, default_factory=dict)


class IngestedEvents:
    """Sorted by time so export windows are a bisect away; guarded by the app state's lock."""

    def __init__(self) -> None:
        self._events: list[IngestedEvent] = []
        self._sequence = itertools.count()

    def add(
        self,
        *,
        user_id: str,
        time: datetime,
        name: str,
        properties: dict[str, Any],
        context: dict[str, Any],
        session_id: int = 0,
    ) -> IngestedEvent:
        event = IngestedEvent(time, next(self._sequence), user_id, session_id, name, properties, context)
        bisect.insort(self._events, event)
        return event

    def between(
        self, start: datetime, end: datetime, hidden_users: Iterable[str] = ()
    ) -> list[IngestedEvent]:
        hidden = set(hidden_users)
        low = bisect.bisect_left(self._events, start, key=_time)
        high = bisect.bisect_left(self._events, end, key=_time)
        return [event for event in self._events[low:high] if event.user_id not in hidden]

    def for_user(self, user_id: str) -> list[IngestedEvent]:
        return [event for event in self._events if event.user_id == user_id]

    def for_session(self, session_id: int) -> list[IngestedEvent]:
        return [event for event in self._events if session_id and event.session_id == session_id]

    def earliest(self) -> datetime | None:
        return self._events[0].time if self._events else None


def _time(event: IngestedEvent) -> datetime:
    return event.time
