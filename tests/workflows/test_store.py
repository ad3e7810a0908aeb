"""The workflow tables: the migration matches the models, and state only moves forward, once per version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from headwater.jobs.outcomes import LeaseLost, Retry
from headwater.store import Database
from headwater.store.models import Base
from headwater.workflows.state import commit_success
from headwater.workflows.tables import RunRow, WorkflowRow

from .support import Lab, steps_yaml

MINE = {"workflows", "workflow_schedules", "workflow_runs", "workflow_step_logs"}
AT = datetime(2026, 5, 4, 10, tzinfo=UTC)


def test_the_migration_creates_what_the_models_describe(db: Database) -> None:
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diffs if MINE & {getattr(part, "name", None) for part in _parts(d)}]
    assert ours == []


def _parts(diff: object) -> list[object]:
    items = diff if isinstance(diff, list) else [diff]
    return [
        getattr(part, "table", part)
        for item in items
        for part in (item if isinstance(item, tuple) else [item])
    ]


def test_a_stale_run_cannot_overwrite_newer_state(store_lab: Lab) -> None:
    store_lab.add(steps_yaml("  - {id: a, uses: set-state, with: {n: 1}}\n"))
    with store_lab.db.session() as session:
        workflow = session.scalars(select(WorkflowRow)).one()
        runs = [RunRow(workflow_id=workflow.id, workflow_version=1, trigger="manual", scheduled_for=AT,
                       missed=0, inputs={}, status="running", attempt=1) for _ in range(2)]  # fmt: skip
        session.add_all(runs)
        session.flush()
        first, second, workflow_id = runs[0].id, runs[1].id, workflow.id
    common = {"attempt": 1, "workflow_id": workflow_id, "base_version": 0, "before": {}, "at": AT}
    assert commit_success(store_lab.db, run_id=first, after={"n": 1}, **common)
    with pytest.raises(Retry, match="another run of this workflow stored a new state"):
        commit_success(store_lab.db, run_id=second, after={"n": 2}, **common)
    assert store_lab.state("wf") == {"n": 1}
    assert store_lab.workflows.run(second)["status"] == "running"  # rolled back with the state
    with pytest.raises(LeaseLost):
        commit_success(store_lab.db, run_id=first, after={"n": 3}, **common)
