"""The workflow service both faces call, the CLI and the web: definitions, schedules and runs.

Definitions are checked before they are stored and stored with their schedule in one transaction; every
change is written to the audit trail. `clock` is injectable so tests (and the demo against the sandbox)
decide what "now" is for manual runs and new schedules.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from headwater.config import Settings
from headwater.connections import Connections
from headwater.errors import BadInput, Conflict, NotFound
from headwater.jobs import DEAD, JobQueue, JobRow, claims, open_queue, runner
from headwater.jobs import SUCCEEDED as SUCCEEDED_JOB
from headwater.jobs.worker import process_identity
from headwater.store import Database, audit
from headwater.store.models import utcnow
from headwater.vault import Vault, load_keyring
from headwater.workflows import schedules
from headwater.workflows.inputs import resolve
from headwater.workflows.loader import MAX_FILE_BYTES, too_large
from headwater.workflows.model import Workflow
from headwater.workflows.recipes import recipe_text
from headwater.workflows.runs import create_run
from headwater.workflows.tables import QUEUED, RUNNING, RunRow, ScheduleRow, StepLogRow, WorkflowRow
from headwater.workflows.validate import Checked, InvalidWorkflow, check_text
from headwater.workflows.views import run_as_dict, step_as_dict, workflow_as_dict

SUBJECT = "workflow"


class Workflows:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        queue: JobQueue | None = None,
        connections: Connections | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.queue = queue if queue is not None else open_queue(db, settings)
        self.connections = connections or Connections(db, Vault(load_keyring(settings)))
        self.clock = clock

    @classmethod
    def open(cls, settings: Settings, db: Database | None = None) -> Workflows:
        return cls(db or Database.open(settings), settings)

    def check(self, text: str) -> Checked:
        known = {c.name: c.kind for c in self.connections.list_all()}
        return check_text(text, known)

    def add(self, path: Path, *, actor: str) -> dict[str, Any]:
        """Store (or replace) the workflow in `path`; InvalidWorkflow lists every problem first."""
        text = read_file(path)
        checked = self.check(text)
        if checked.workflow is None or checked.problems:
            raise InvalidWorkflow(str(path), checked.problems)
        workflow, now = checked.workflow, self.clock()
        definition = workflow.model_dump(mode="json", by_alias=True, exclude_none=True)
        with self.db.session() as session:
            row = self._row(session, workflow.name, missing_ok=True)
            created = row is None
            if row is None:
                row = WorkflowRow(name=workflow.name, version=0, enabled=True, state={}, state_version=0)
                row.created_at = now
                session.add(row)
            row.description, row.source, row.definition = workflow.description, text, definition
            row.version, row.updated_at = row.version + 1, now
            session.flush()
            schedules.save_schedule(session, row, workflow, now)
            verb = "added" if created else "updated"
            audit.record(
                session,
                actor=actor,
                action=f"workflow.{verb}",
                subject_type=SUBJECT,
                subject_id=workflow.name,
                details={"version": row.version, "file": str(path)},
                message=f"Workflow {workflow.name!r} {verb} (version {row.version}) from {path}.",
            )
        return {**self.show(workflow.name), "created": created}

    def init(self, recipe: str, path: Path, *, force: bool, actor: str, **options: Any) -> dict[str, Any]:
        """Write a recipe's file (checked first: its connections must exist), then add it."""
        text = recipe_text(recipe, **options)
        checked = self.check(text)
        if not checked.valid:
            raise InvalidWorkflow(str(path), checked.problems)
        if path.exists() and not force:
            raise Conflict(
                f"{path} already exists.", hint="Pass --force to overwrite it, or choose --output."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return {**self.add(path, actor=actor), "path": str(path.resolve())}

    def list_all(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.scalars(select(WorkflowRow).order_by(WorkflowRow.name)).all()
            return [self._view(session, row) for row in rows]

    def show(self, name: str) -> dict[str, Any]:
        with self.db.session() as session:
            row = self._row(session, name)
            return {**self._view(session, row), "source": row.source}

    def enable(self, name: str, *, actor: str) -> dict[str, Any]:
        return self._switch(name, True, actor)

    def disable(self, name: str, *, actor: str) -> dict[str, Any]:
        return self._switch(name, False, actor)

    def remove(self, name: str, *, actor: str) -> None:
        """The workflow with its schedule, state, runs and run log."""
        with self.db.session() as session:
            row = self._row(session, name)
            schedules.remove(session, row.id)
            session.delete(row)
            audit.record(
                session,
                actor=actor,
                action="workflow.removed",
                subject_type=SUBJECT,
                subject_id=name,
                message=f"Workflow {name!r} removed with its schedule, state and run history.",
            )

    def start(self, name: str, given: Mapping[str, Any]) -> RunRow:
        """A manual run, queued as a job; the inputs are checked first."""
        with self.db.session() as session:
            row = self._row(session, name)
            workflow = Workflow.model_validate(row.definition)
            if not workflow.on.manual:
                raise BadInput(
                    f"{name} has no manual trigger.", hint="Add `manual: true` under `on:` and add it again."
                )
            if not row.enabled:
                raise BadInput(
                    f"{name} is disabled.", hint=f"Enable it: `headwater workflows enable {name}`."
                )
            inputs = resolve(workflow, given)
            return create_run(
                session, self.queue, row, trigger="manual", scheduled_for=self.clock(), inputs=inputs
            )

    def run_now(self, name: str, given: Mapping[str, Any], *, wait: float = 300.0) -> dict[str, Any]:
        """Start a run and see it through: in this process when jobs run embedded (unless a worker took
        it first), else by a worker; stops waiting once it is done or waiting for a retry."""
        run = self.start(name, given)
        assert run.job_id is not None
        if self.queue.mode == "embedded":
            owner = f"{process_identity()}:workflows-run"
            job = claims.claim(self.db, run.job_id, owner, self.queue.job_settings.lease_seconds)
            if job is not None:
                with _quiet(runner.log):  # the outcome is returned to the caller, who reports it
                    runner.execute(self.queue, job, owner)
        deadline = time.monotonic() + wait
        while self._unfinished(run.id) and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.run(run.id)

    def _unfinished(self, run_id: int) -> bool:
        """Whether the run is still to be done; a run whose job ended without it is an error, not a wait."""
        found = self.run(run_id)
        if found["status"] not in (QUEUED, RUNNING):
            return False
        if found["job_status"] not in (SUCCEEDED_JOB, DEAD):
            return True
        again = self.run(run_id)  # the run's outcome commits before its job's: look once more
        if again["status"] not in (QUEUED, RUNNING):
            return False
        raise Conflict(
            f"Run {run_id} is {again['status']}, but its job {again['job_id']} ended ({again['job_status']}) "
            "without running it.",
            hint=f"See `headwater jobs show {again['job_id']}`; start the workflow again to try once more.",
        )

    def runs(self, name: str, *, limit: int = 20) -> list[dict[str, Any]]:
        with self.db.session() as session:
            row = self._row(session, name)
            query = select(RunRow).where(RunRow.workflow_id == row.id).order_by(RunRow.id.desc()).limit(limit)
            found = session.scalars(query).all()
            jobs = _job_statuses(session, [r.job_id for r in found if r.job_id is not None])
            return [run_as_dict(r, name, jobs.get(r.job_id or 0)) for r in found]

    def run(self, run_id: int) -> dict[str, Any]:
        with self.db.session() as session:
            found = session.get(RunRow, run_id)
            if found is None:
                raise NotFound(
                    f"There is no workflow run {run_id}.", hint="See `headwater workflows runs NAME`."
                )
            workflow = session.get(WorkflowRow, found.workflow_id)
            jobs = _job_statuses(session, [found.job_id] if found.job_id else [])
            return run_as_dict(found, workflow.name if workflow else "?", jobs.get(found.job_id or 0))

    def run_log(self, run_id: int) -> dict[str, Any]:
        run = self.run(run_id)
        with self.db.session() as session:
            query = select(StepLogRow).where(StepLogRow.run_id == run_id).order_by(StepLogRow.id)
            return {**run, "steps": [step_as_dict(row) for row in session.scalars(query)]}

    def _switch(self, name: str, enabled: bool, actor: str) -> dict[str, Any]:
        with self.db.session() as session:
            row = self._row(session, name)
            if row.enabled != enabled:
                row.enabled, row.updated_at = enabled, self.clock()
                schedules.switch(session, row.id, enabled, self.clock())
                word = "enabled" if enabled else "disabled"
                audit.record(
                    session,
                    actor=actor,
                    action=f"workflow.{word}",
                    subject_type=SUBJECT,
                    subject_id=name,
                    message=f"Workflow {name!r} {word}.",
                )
        return self.show(name)

    def _view(self, session: Any, row: WorkflowRow) -> dict[str, Any]:
        schedule = session.scalars(select(ScheduleRow).where(ScheduleRow.workflow_id == row.id)).first()
        last = session.scalars(
            select(RunRow).where(RunRow.workflow_id == row.id).order_by(RunRow.id.desc()).limit(1)
        ).first()
        return workflow_as_dict(row, schedule, last)

    @staticmethod
    def _row(session: Any, name: str, *, missing_ok: bool = False) -> Any:
        row = session.scalars(select(WorkflowRow).where(WorkflowRow.name == name)).first()
        if row is None and not missing_ok:
            raise NotFound(f"No workflow named {name!r}.", hint="See `headwater workflows list`.")
        return row


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_file(path: Path) -> str:
    """The file's text; a file too large to be a workflow is refused before it is read."""
    try:
        with path.open(encoding="utf-8") as file:
            size = too_large(os.fstat(file.fileno()).st_size)
            if size is not None:
                raise BadInput(f"{path}: {size.message}", hint="Give a workflow YAML file.")
            return file.read(MAX_FILE_BYTES + 1)  # a device or pipe has no size: parse() sees the excess
    except FileNotFoundError:
        raise NotFound(f"No such file: {path}.") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise BadInput(
            f"Cannot read {path}: {exc.__class__.__name__}.", hint="Give a UTF-8 YAML file."
        ) from None


def _job_statuses(session: Any, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(JobRow.id, JobRow.status).where(JobRow.id.in_(ids))).tuples().all())
