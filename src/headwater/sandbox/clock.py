"""A clock that tests can move forward, so days-long provider behaviour happens in milliseconds."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta


class SandboxClock:
    """Wall time plus an offset that tests move forward; thread-safe.

    Without ``start`` the clock follows wall time (plus whatever was advanced). With ``start`` it is
    frozen at that instant and only moves through :meth:`advance`, which makes tests reproducible.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen_at = _as_utc(start) if start is not None else None
        self._offset = timedelta()

    def now(self) -> datetime:
        """The current sandbox time, timezone-aware UTC."""
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
            return base + self._offset

    def advance(self, *, days: float = 0, seconds: float = 0) -> datetime:
        """Move the clock forward (never backward) and return the new time."""
        step = timedelta(days=days, seconds=seconds)
        if step < timedelta():
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += step
        return self.now()

    def today(self) -> date:
        return self.now().date()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
