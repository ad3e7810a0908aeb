"""`sync.run`: a sync as a durable job, the same code in the embedded worker and on Celery.

Payload: `{"connection": "fs", "destination": null, "start_date": null, "full_refresh": false}`, where
`destination` names one an admin defined (null: the default). A job never takes a URL: whoever can queue
one must not choose where the server connects or writes. The job checks
for a stopping worker between batches; since every batch commits with its bookmark, a job handed back
(or re-run after a crash) carries on from the last committed batch without loading anything twice.

`sync.sweep` (every minute) records the runs whose process is gone as `interrupted` (see `history`), so
a sync killed outside any worker does not stay `running` for ever.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from headwater.errors import BadInput
from headwater.jobs.context import TaskContext
from headwater.jobs.recurring import periodic
from headwater.jobs.registry import task
from headwater.sync.history import sweep_abandoned
from headwater.sync.runner import SyncRequest, run_sync

SYNC_KIND = "sync.run"
SWEEP_KIND = "sync.sweep"
SWEEP_SECONDS = 60


def request_from(payload: dict[str, Any]) -> SyncRequest:
    connection = payload.get("connection")
    if not isinstance(connection, str) or not connection:
        raise BadInput("A sync.run job needs a 'connection' name in its payload.")
    if payload.get("to"):
        raise BadInput(
            "A sync.run job names its destination (`destination`), never a URL.",
            hint="An admin defines destinations with `headwater destinations add NAME URL`.",
        )
    destination = payload.get("destination")
    if destination is not None and not isinstance(destination, str):
        raise BadInput("A sync.run job's 'destination' is a destination name.")
    start = payload.get("start_date")
    try:
        start_date = date.fromisoformat(start) if start else None
    except (TypeError, ValueError):
        raise BadInput(f"start_date {start!r} is not a YYYY-MM-DD date.") from None
    return SyncRequest(
        connection=connection,
        destination=destination or None,
        start_date=start_date,
        full_refresh=bool(payload.get("full_refresh", False)),
    )


@task(SYNC_KIND)
def run(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    lease = ctx.queue.job_settings.lease_seconds
    report = run_sync(
        ctx.settings, request_from(payload), db=ctx.db, check_stop=ctx.check_stop, lease_seconds=lease
    )
    keep = ("id", "status", "rows", "batches", "batch_unit", "tables", "bookmark_after", "duration_s")
    return {key: report[key] for key in keep}


@periodic(SWEEP_KIND, seconds=SWEEP_SECONDS)
def sweep(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    return {"interrupted": sweep_abandoned(ctx.db)}
