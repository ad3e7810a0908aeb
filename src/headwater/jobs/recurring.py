"""Periodic work: a registry of "submit this kind every N seconds", fired by the single ticker.

    from headwater.jobs import every, periodic

    every(POLL_KIND, 60, POLL_KIND)             # "privacy.poll" every minute: a kind that @task registered

    @periodic(PURGE_KIND, seconds=3600)         # "jobs.purge": registers the task and its period at once
    def purge(ctx, payload): ...

Each periodic task has a row in `job_ticks` (last and next tick). When its next tick is due, the ticker
submits one job with the dedupe key ``tick:<name>:<slot>``, so even two tickers racing (a clock jump, a
lease taken over mid-tick) create it once. A tick missed while nothing was running fires once, not once
per missed period, and the period restarts from then.

Cron schedules (the Workflows feature) build on this rather than beside it: one periodic task,
``@periodic(SCAN_KIND, seconds=20)`` in `workflows.schedules` ("workflows.scan"), reads the schedule rows,
works out each one's next run with croniter in its time zone, and submits the due runs with dedupe keys
naming the schedule and the run time. The ticker guarantees that this scan runs on one process at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from headwater.jobs import registry
from headwater.jobs.models import TickRow
from headwater.store.sql import insert_ignoring_conflict

_SCHEDULE: dict[str, Periodic] = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    seconds: float
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)


def every(name: str, seconds: float, kind: str, payload: dict[str, Any] | None = None) -> Periodic:
    """Submit a job of `kind` every `seconds` (at most one ticker fires it; see the module docstring)."""
    if seconds <= 0:
        raise ValueError("a periodic task needs a positive period")
    entry = Periodic(name, float(seconds), kind, dict(payload or {}))
    _SCHEDULE[name] = entry
    return entry


def periodic(
    name: str, *, seconds: float, max_attempts: int | None = None
) -> Callable[[registry.TaskFunction], registry.TaskFunction]:
    """Decorator: register `fn` as the task kind `name` and run it every `seconds`."""

    def register(fn: registry.TaskFunction) -> registry.TaskFunction:
        registry.task(name, max_attempts=max_attempts)(fn)
        every(name, seconds, name)
        return fn

    return register


def schedule() -> list[Periodic]:
    return [_SCHEDULE[name] for name in sorted(_SCHEDULE)]


def due_slot(session: Session, entry: Periodic, at: datetime) -> datetime | None:
    """If `entry` is due, move its tick row on and return the slot being fired; else None."""
    values = {"name": entry.name, "last_tick_at": None, "next_tick_at": at}
    insert_ignoring_conflict(session, TickRow.__table__, values, "name")  # type: ignore[arg-type]
    row = session.get(TickRow, entry.name, with_for_update=True, populate_existing=True)
    if row is None or row.next_tick_at > at:
        return None
    slot = row.next_tick_at
    following = slot + timedelta(seconds=entry.seconds)
    row.last_tick_at = at
    row.next_tick_at = following if following > at else at + timedelta(seconds=entry.seconds)
    return slot
