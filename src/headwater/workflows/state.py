"""Each workflow's state: a small JSON document that only a successful run may change.

A run works on a copy; when it succeeds, the run's status and the new state are written in one
transaction, so a failed run never moves a last-run date. The state carries a version: if another run
of the same workflow stored a new state meanwhile, this run is retried on top of it instead of
overwriting it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from headwater.jobs.outcomes import LeaseLost, Retry
from headwater.store import Database
from headwater.workflows.tables import RUNNING, SUCCEEDED, RunRow, WorkflowRow

CONFLICT_RETRY_SECONDS = 1.0


def commit_success(
    db: Database,
    *,
    run_id: int,
    attempt: int,
    workflow_id: int,
    base_version: int,
    before: dict[str, Any],
    after: dict[str, Any],
    at: datetime,
) -> bool:
    """Mark the run succeeded and store `after` if it differs from `before`; True when the state moved."""
    with db.session() as session:
        marked = session.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.status == RUNNING, RunRow.attempt == attempt)
            .values(status=SUCCEEDED, finished_at=at, error=None)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not marked:
            raise LeaseLost(f"run {run_id} is no longer this attempt's to finish")
        if after == before:
            return False
        moved = session.execute(
            update(WorkflowRow)
            .where(WorkflowRow.id == workflow_id, WorkflowRow.state_version == base_version)
            .values(state=after, state_version=base_version + 1, state_updated_at=at)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not moved:
            raise Retry(
                "another run of this workflow stored a new state meanwhile; running again on top of it",
                after=CONFLICT_RETRY_SECONDS,
            )
    return True
