"""Each run is a job of the job system: created with its run row in one transaction, executed by any
worker, retried on transient errors (the step log keeps every attempt), and at most once to success.

Side effects are fenced by the job's effect records: a retried run does not post its Slack message again
once it was posted, and a destructive action whose outcome is unknown stops the run rather than guess.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from headwater.accounts.roles import Role
from headwater.connections import Connections
from headwater.errors import Conflict, HeadwaterError
from headwater.jobs import JobSubmitter, TaskContext, task
from headwater.jobs.outcomes import Interrupted, LeaseLost, classify, describe
from headwater.store.models import utcnow
from headwater.vault import Vault, load_keyring
from headwater.workflows import engine
from headwater.workflows.model import Workflow
from headwater.workflows.runlog import StepRecord, scrub
from headwater.workflows.state import commit_success
from headwater.workflows.steps import Once, Output, RunEnv
from headwater.workflows.tables import (
    FAILED,
    FINISHED,
    QUEUED,
    RETRYING,
    RUNNING,
    RunRow,
    StepLogRow,
    WorkflowRow,
)

log = logging.getLogger(__name__)
RUN_KIND = "workflows.run"


def run_key(run: RunRow) -> str:
    """What names a run's job and its effect records: its key, which no other run ever has (see
    `RunRow`); a run from before keys existed is named by its id, as it was then."""
    return f"workflow-run:{run.run_key or run.id}"


def create_run(
    session: Session,
    queue: JobSubmitter,
    workflow: WorkflowRow,
    *,
    trigger: str,
    scheduled_for: Any,
    inputs: dict[str, Any],
    slot_key: str | None = None,
    missed: int = 0,
) -> RunRow:
    """A run and its job, in the caller's transaction: neither exists without the other.

    A job already holding the run's key would mean the run never executes: that is refused here, loudly,
    rather than left `queued` for ever.
    """
    run = RunRow(
        run_key=uuid.uuid4().hex,
        workflow_id=workflow.id,
        workflow_version=workflow.version,
        trigger=trigger,
        scheduled_for=scheduled_for,
        slot_key=slot_key,
        missed=missed,
        inputs=inputs,
        status=QUEUED,
        attempt=0,
        created_at=utcnow(),
    )
    session.add(run)
    session.flush()
    payload = {"run": run.id, "key": run.run_key}
    job = queue.enqueue(session, RUN_KIND, payload, dedupe_key=run_key(run))
    if job.payload != payload:
        raise Conflict(
            f"The run of {workflow.name!r} cannot be queued: job {job.id} already holds its key "
            f"{run_key(run)!r}.",
            hint=f"Nothing was queued. See `headwater jobs show {job.id}`.",
        )
    run.job_id = job.id
    return run


@task(RUN_KIND, role=Role.ADMIN)  # starting a workflow run is an admin's; so is retrying one
def run_workflow(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    return execute_run(ctx, int(payload["run"]), payload.get("key"))


def execute_run(ctx: TaskContext, run_id: int, key: str | None = None) -> dict[str, Any]:
    """Run `run_id`; with `key`, only if that row is still the run the job was made for."""
    started = utcnow()
    with ctx.db.session() as session:
        run = session.get(RunRow, run_id)
        if run is None or (key is not None and run.run_key != key):
            return {"run": run_id, "status": "removed"}  # its workflow was removed, and its runs with it
        if run.status in FINISHED:
            return {"run": run_id, "status": run.status}
        workflow = session.get(WorkflowRow, run.workflow_id)
        assert workflow is not None  # runs are deleted with their workflow
        run.status, run.attempt, run.started_at, run.error = RUNNING, ctx.attempt, started, None
        definition, state, version = dict(workflow.definition), dict(workflow.state), workflow.state_version
        facts = {
            "id": run.id,
            "workflow": workflow.name,
            "trigger": run.trigger,
            "scheduled_for": run.scheduled_for.isoformat(),
            "started_at": started.isoformat(),
            "attempt": ctx.attempt,
        }
        inputs, workflow_id, name, prefix = dict(run.inputs), workflow.id, workflow.name, run_key(run)
    env = RunEnv(
        connections=Connections(ctx.db, Vault(load_keyring(ctx.settings))),
        actor=f"workflow:{name}",
        effect_prefix=prefix,
        record=lambda record: _log_step(ctx, run_id, record),
        once=_fenced(ctx),
        check_stop=ctx.check_stop,
    )
    try:
        after = engine.execute(Workflow.model_validate(definition), inputs, state, facts, env)
        commit_success(
            ctx.db,
            run_id=run_id,
            attempt=ctx.attempt,
            workflow_id=workflow_id,
            base_version=version,
            before=state,
            after=after,
            at=utcnow(),
        )
    except LeaseLost:
        raise
    except BaseException as exc:
        _record_failure(ctx, run_id, exc, env.secrets)
        raise
    log.info("workflow %s: run %s succeeded", name, run_id)
    return {"run": run_id, "status": "succeeded"}


def _fenced(ctx: TaskContext) -> Once:
    def once(key: str, call: Any, side_effect: str) -> Output:
        if side_effect == "none":
            result: Output = call()
            return result
        verify = (lambda: None) if side_effect == "repeatable" else None
        return ctx.once(key, call, verify=verify, intent={"effect": side_effect}).result

    return once


def _log_step(ctx: TaskContext, run_id: int, record: StepRecord) -> None:
    with ctx.db.session() as session:
        session.add(
            StepLogRow(
                run_id=run_id,
                attempt=ctx.attempt,
                position=record.position,
                step_id=record.step_id,
                uses=record.uses,
                iteration=record.iteration,
                status=record.status,
                inputs=record.inputs,
                output_size=record.output_size,
                duration_ms=round(record.duration_ms, 3),
                error=record.error,
                started_at=utcnow(),
            )
        )


def _record_failure(ctx: TaskContext, run_id: int, exc: BaseException, secrets: set[str]) -> None:
    """What the job system will do next, mirrored on the run: retried, failed, or handed back."""
    if isinstance(exc, Interrupted) or not isinstance(exc, Exception):
        status, message = QUEUED, "handed back: the worker stopped"
    else:
        outcome = classify(exc)
        again = outcome.transient and (not outcome.counts or ctx.attempt < ctx.max_attempts)
        status = RETRYING if again else FAILED
        message = str(exc) if isinstance(exc, HeadwaterError) else describe(exc)
        if outcome.transient and not again:
            message = f"Gave up after {ctx.attempt} attempts: {message}"
    values: dict[str, Any] = {"status": status, "error": scrub(message, secrets)[:4000]}
    if status == FAILED:
        values["finished_at"] = utcnow()
    try:
        with ctx.db.session() as session:
            session.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.attempt == ctx.attempt, RunRow.status == RUNNING)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    except Exception as error:  # the job's own record matters more; it says the same
        log.warning("could not record how run %s ended: %s", run_id, describe(error))
