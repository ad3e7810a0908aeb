"""Replication: a connection's events into DuckDB or PostgreSQL, built in or as its provider's Singer tap.

    report = run_sync(settings, SyncRequest("fs", to="duckdb:///data/fs.duckdb"))
    runs(db, "fs")                           # loading reports, newest first
    timeline(target, "fullstory", email=...) # one person's events by session and page

Heavy modules (DuckDB, the Singer SDK) load on first use, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.sync.history import calls, runs
    from headwater.sync.runner import SyncProgress, SyncRequest, run_sync
    from headwater.sync.target import Target, parse_target
    from headwater.sync.timeline import timeline

__all__ = [
    "SyncProgress",
    "SyncRequest",
    "Target",
    "calls",
    "parse_target",
    "run_sync",
    "runs",
    "timeline",
]

_HOMES = {
    "calls": "headwater.sync.history",
    "runs": "headwater.sync.history",
    "SyncProgress": "headwater.sync.runner",
    "SyncRequest": "headwater.sync.runner",
    "run_sync": "headwater.sync.runner",
    "Target": "headwater.sync.target",
    "parse_target": "headwater.sync.target",
    "timeline": "headwater.sync.timeline",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
