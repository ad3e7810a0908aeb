"""``GET /_sandbox/stats``: how many events each emulator holds as of the sandbox clock.

Each app registers a counter for itself; :func:`share_stats` lets every app of one sandbox answer for all
of them, so a test asks either port and compares a replica's row count with ``fullstory_events`` or
``amplitude_events``.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, FastAPI

Counter = Callable[[], int]


def install_stats(app: FastAPI, name: str, counter: Counter) -> None:
    """Mount the stats route on ``app``, answering ``{name: counter()}`` until shared with others."""
    counters: dict[str, Counter] = {name: counter}
    app.state.sandbox_counters = counters
    router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

    @router.get("/stats")
    def read_stats() -> dict[str, int]:
        return {key: count() for key, count in sorted(counters.items())}

    app.include_router(router)


def share_stats(*apps: FastAPI) -> None:
    """Make each app's stats list every app's counters (the emulators of one sandbox)."""
    merged: dict[str, Counter] = {}
    for app in apps:
        merged.update(app.state.sandbox_counters)
    for app in apps:
        app.state.sandbox_counters.update(merged)
