"""Headwater's own periodic housekeeping of the job table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from headwater.jobs.context import TaskContext
from headwater.jobs.models import SUCCEEDED, SUPERSEDED, JobRow
from headwater.jobs.recurring import periodic
from headwater.store.models import utcnow

PURGE_KIND = "jobs.purge"
PURGE_SECONDS = 3600


@periodic(PURGE_KIND, seconds=PURGE_SECONDS)
def purge(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Forget succeeded (and superseded) jobs after the retention period; dead ones stay until a person
    deals with them."""
    cutoff = utcnow() - timedelta(days=ctx.queue.job_settings.retention_days)
    with ctx.db.session() as session:
        deleted = session.execute(
            delete(JobRow)
            .where(JobRow.status.in_((SUCCEEDED, SUPERSEDED)), JobRow.finished_at < cutoff)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    return {"deleted": int(deleted)}
