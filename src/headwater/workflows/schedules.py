"""Cron schedules as rows in the store, fired by one periodic scan that the job system's ticker runs.

A due schedule is claimed with one conditional UPDATE on (id, next_run_at): of two schedulers that see
the same tick, exactly one moves it on and creates the run; the run's unique slot key backs that up. A
schedule that was due several times while nothing ran fires once, for its latest time, and remembers
how many it stands for. `now` is a parameter so tests drive time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from headwater.jobs import JobSubmitter, TaskContext, periodic
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.workflows import crontime
from headwater.workflows.inputs import resolve
from headwater.workflows.model import Workflow
from headwater.workflows.runs import create_run
from headwater.workflows.tables import RunRow, ScheduleRow, WorkflowRow

SCAN_KIND = "workflows.scan"
#: how often due schedules are looked for: cron has minute resolution, so runs start within this
SCAN_SECONDS = 20
MISSED_CAP = 1000


@periodic(SCAN_KIND, seconds=SCAN_SECONDS)
def scan(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    return {"runs": fire_due(ctx.db, ctx.queue, utcnow())}


def save_schedule(session: Session, workflow: WorkflowRow, model: Workflow, now: datetime) -> None:
    """Create, keep or replace the schedule row after a workflow was added or changed."""
    row = session.scalars(select(ScheduleRow).where(ScheduleRow.workflow_id == workflow.id)).first()
    wanted = model.on.schedule
    if wanted is None:
        if row is not None:
            session.delete(row)
        return
    cron, tz = crontime.expand(wanted.cron), wanted.timezone
    if row is not None and (row.cron, row.timezone) == (cron, tz):
        row.enabled = workflow.enabled
        return
    following = crontime.next_run(cron, crontime.zone(tz), now)
    if row is None:
        row = ScheduleRow(workflow_id=workflow.id, cron=cron, timezone=tz, next_run_at=following)
        session.add(row)
    row.cron, row.timezone, row.next_run_at = cron, tz, following
    row.enabled, row.updated_at = workflow.enabled, now


def switch(session: Session, workflow_id: int, enabled: bool, now: datetime) -> None:
    """Enabling starts from now: the times missed while disabled are not run."""
    row = session.scalars(select(ScheduleRow).where(ScheduleRow.workflow_id == workflow_id)).first()
    if row is None or row.enabled == enabled:
        return
    row.enabled, row.updated_at = enabled, now
    if enabled:
        row.next_run_at = crontime.next_run(row.cron, crontime.zone(row.timezone), now)


def remove(session: Session, workflow_id: int) -> None:
    session.execute(delete(ScheduleRow).where(ScheduleRow.workflow_id == workflow_id))


def fire_due(db: Database, queue: JobSubmitter, now: datetime) -> list[int]:
    """Create one run (and its job) per due schedule; returns the new run ids."""
    query = (
        select(ScheduleRow.id, ScheduleRow.cron, ScheduleRow.timezone, ScheduleRow.next_run_at)
        .join(WorkflowRow, WorkflowRow.id == ScheduleRow.workflow_id)
        .where(ScheduleRow.enabled.is_(True), WorkflowRow.enabled.is_(True), ScheduleRow.next_run_at <= now)
        .order_by(ScheduleRow.next_run_at)
    )
    with db.session() as session:
        due = list(session.execute(query))
    fired = []
    for schedule_id, cron, tz_name, seen in due:
        run_id = _fire(db, queue, schedule_id, cron, crontime.zone(tz_name), seen, now)
        if run_id is not None:
            fired.append(run_id)
    return fired


def _fire(
    db: Database, queue: JobSubmitter, schedule_id: int, cron: str, tz: Any, seen: datetime, now: datetime
) -> int | None:
    latest = max(seen, crontime.previous_run(cron, tz, now))
    missed = crontime.runs_between(cron, tz, seen, latest - timedelta(microseconds=1), cap=MISSED_CAP)
    following = crontime.next_run(cron, tz, now)
    with db.session() as session:
        # the claim is the transaction's first statement: it takes the write lock before anything is read
        claimed = session.execute(
            update(ScheduleRow)
            .where(
                ScheduleRow.id == schedule_id, ScheduleRow.next_run_at == seen, ScheduleRow.enabled.is_(True)
            )
            .values(next_run_at=following, last_scheduled_for=latest, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed:
            return None  # another scheduler fired this tick
        schedule = session.get(ScheduleRow, schedule_id)
        workflow = session.get(WorkflowRow, schedule.workflow_id) if schedule else None
        if workflow is None:
            return None
        slot_key = f"{workflow.id}:{latest.isoformat()}"
        if session.scalar(select(RunRow.id).where(RunRow.slot_key == slot_key)) is not None:
            return None
        model = Workflow.model_validate(workflow.definition)
        run = create_run(
            session,
            queue,
            workflow,
            trigger="schedule",
            scheduled_for=latest,
            inputs=resolve(model, {}),
            slot_key=slot_key,
            missed=missed,
        )
        return run.id
