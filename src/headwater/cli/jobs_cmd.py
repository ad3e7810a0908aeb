"""`headwater jobs`: what the background work is doing, and a second chance for dead jobs."""

from __future__ import annotations

from typing import Annotated

import typer

from headwater.cli.context import Context
from headwater.cli.output import JsonOption, console, key_values, print_json, table
from headwater.connections import os_user
from headwater.jobs import JobQueue, open_queue
from headwater.jobs.effects import for_job
from headwater.jobs.views import effect_as_dict, job_as_dict

app = typer.Typer(help="List, inspect and retry background jobs.", no_args_is_help=True)


def _queue() -> JobQueue:
    ctx = Context.load()
    return open_queue(ctx.db, ctx.settings)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else ""


@app.command("list")
def list_jobs(
    status: Annotated[
        str | None,
        typer.Option(help="Only jobs in this state: queued, running, succeeded, dead, superseded."),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The newest jobs, with their state, attempts and last error."""
    jobs = _queue().list_jobs(status=status, kind=kind, limit=limit)
    if as_json:
        print_json([job_as_dict(job) for job in jobs])
        return
    rows = [
        (
            job.id,
            job.kind,
            job.status,
            f"{job.attempts}/{job.max_attempts}",
            _when(job.run_at),
            (job.last_error or "")[:60],
        )
        for job in jobs
    ]
    console.print(table("Jobs", ["id", "kind", "status", "attempts", "run at (UTC)", "last error"], rows))


@app.command("show")
def show(
    job_id: Annotated[int, typer.Argument(help="The job's id (see `headwater jobs list`).")],
    as_json: JsonOption = False,
) -> None:
    """One job in full, with the provider calls it recorded."""
    queue = _queue()
    job = queue.get(job_id)
    effects = [effect_as_dict(effect) for effect in for_job(queue.db, job_id)]
    if as_json:
        print_json({**job_as_dict(job), "effects": effects})
        return
    console.print(key_values(job_as_dict(job), f"Job {job_id}"))
    if effects:
        rows = [(e["key"], e["status"], e["calls"], _when(e["done_at"])) for e in effects]
        console.print(table("Provider calls", ["key", "status", "calls", "done at (UTC)"], rows))


@app.command("retry")
def retry(
    job_id: Annotated[int, typer.Argument(help="A dead job, or a queued one waiting to retry.")],
    as_json: JsonOption = False,
) -> None:
    """Run a dead job again with fresh attempts (or a waiting one now)."""
    job = _queue().retry(job_id, actor=os_user())
    if as_json:
        print_json(job_as_dict(job))
        return
    console.print(f"Job {job.id} ({job.kind}) is queued to run again.")
