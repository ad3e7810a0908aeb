"""`headwater status`: is queued work moving? Live workers and scheduler, due jobs and the oldest."""

from __future__ import annotations

import typer

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, err_console, key_values, print_json
from headwater.config import mask_url
from headwater.jobs import health, open_queue


@exits_cleanly
def status(as_json: JsonOption = False) -> None:
    """Whether a worker and the scheduler are alive, and how many jobs are due (exit 1 when stalled).

    Every `headwater worker`, `headwater serve` and ticker writes a heartbeat to the store; due work that
    has waited HEADWATER_JOBS_STALL_SECONDS (5 minutes) with no live worker is reported as stalled.
    """
    ctx = Context.load()
    queue = open_queue(ctx.db, ctx.settings)
    report = health.of_queue(queue)
    if as_json:
        print_json({**report.as_dict(), "store": mask_url(ctx.db.url)})
    else:
        console.print(key_values(_facts(report, mask_url(ctx.db.url)), "Headwater status"))
        if report.warning:
            err_console.print(f"Warning: {report.warning}", markup=False)
    if report.stalled:
        raise typer.Exit(1)


def _facts(report: health.JobsHealth, store: str) -> dict[str, str]:
    mode = (
        "embedded: jobs run in `headwater serve` or `headwater worker`"
        if report.mode == "embedded"
        else "Celery: jobs run on `headwater worker` processes through the broker"
    )
    jobs = f"{report.due} due"
    if report.due:
        jobs += f", the oldest waiting {health.duration(report.waited_seconds)}"
    jobs += f"; {report.running} running; {report.dead} dead"
    if report.dead:
        jobs += " (`headwater jobs list --status dead`)"
    return {
        "store": store,
        "mode": mode,
        "workers": _workers(report),
        "scheduler": report.scheduler or "none: periodic work (provider polls, schedules, sweeps) waits",
        "jobs": jobs,
    }


def _workers(report: health.JobsHealth) -> str:
    alive = report.workers
    if alive:
        return "; ".join(
            f"{p.role} {p.host} pid {p.pid} (up {health.duration(_up(report, p))})" for p in alive
        )
    seen = next((p for p in report.processes if p.runs_jobs), None)
    if seen is None:
        return "none alive, none seen"
    when = health.ago(report.checked_at, seen.beat_at)
    return f"none alive (the last, {seen.role} {seen.host} pid {seen.pid}, was seen {when})"


def _up(report: health.JobsHealth, process: health.Process) -> float:
    return (report.checked_at - process.started_at).total_seconds()
