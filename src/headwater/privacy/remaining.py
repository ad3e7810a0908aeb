"""What is left of a privacy request once a command has done what it could, and what will move it on.

A request has a legal deadline, so a command that queues work must never leave a person believing it is
being done when nothing will run it. After `dsr create`, `retry`, `set-identity` or `refresh`, the CLI
prints these lines: per connection, what it waits for (the provider, a person, a worker), then who will
move it on — the Celery workers, a live worker, or, in embedded mode with none running, what to start.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from headwater.connectors.registry import get_provider
from headwater.errors import HeadwaterError
from headwater.jobs.health import JobsHealth
from headwater.privacy import batching, resolving, states
from headwater.privacy.models import ProviderJobRow, TaskJobRow, TaskRow
from headwater.store import Database

#: the job kinds a command runs in its own process to do a request's work now (embedded mode)
REQUEST_KINDS = (resolving.TASK_KIND, batching.LANE_KIND)


def next_checks(db: Database, ticket_id: str) -> dict[str, datetime]:
    """Per connection of the ticket, when its provider is next asked about its open jobs."""
    query = (
        select(TaskRow.connection, func.min(ProviderJobRow.next_poll_at))
        .join(TaskJobRow, TaskJobRow.task_id == TaskRow.id)
        .join(ProviderJobRow, ProviderJobRow.id == TaskJobRow.provider_job_id)
        .where(TaskRow.ticket_id == ticket_id, ProviderJobRow.status.in_(states.OPEN_PROVIDER_JOBS))
        .group_by(TaskRow.connection)
    )
    with db.session() as session:
        return {connection: at for connection, at in session.execute(query) if at is not None}


def outlook(db: Database, ticket: dict[str, Any], health: JobsHealth) -> list[str]:
    """Lines for a person: what each open task waits for, then what moves the request on ([] if done)."""
    ticket_id = ticket["id"]
    checks = next_checks(db, ticket_id)
    lines = [line for task in ticket["tasks"] if (line := _task_line(ticket, task, checks))]
    statuses = {task["status"] for task in ticket["tasks"]}
    if ticket["status"] == states.CANCELLED or not statuses & (states.ACTIVE | {states.WAITING}):
        return lines
    return [*lines, _mover(ticket_id, statuses, health)]


def _task_line(ticket: dict[str, Any], task: dict[str, Any], checks: dict[str, datetime]) -> str | None:
    connection, status, ticket_id = task["connection"], task["status"], ticket["id"]
    error = (task.get("last_error") or "").strip().rstrip(".")
    if status == states.WAITING:
        work = "deleting" if ticket["kind"] == "delete" else "preparing the copy"
        when = checks.get(connection)
        asked = f"; Headwater asks it again {_at(when)}" if when else ""
        return f"{connection}: {_title(task['provider'])} is {work} on its own schedule{asked}."
    if status == states.NEEDS_INPUT:
        return (
            f"{connection} needs input: {error or 'the person was not found'}. Give their id there with "
            f"`headwater dsr set-identity {ticket_id} --connection {connection} --uid ...`."
        )
    if status == states.FAILED:
        reason = error or "see `headwater dsr audit`"
        return f"{connection} failed: {reason}. Fix the cause, then `headwater dsr retry {ticket_id}`."
    if status in states.ACTIVE:
        return f"{connection}: queued ({status})."
    return None


def _mover(ticket_id: str, statuses: set[str], health: JobsHealth) -> str:
    queued = bool(statuses & states.ACTIVE)
    if health.mode != "embedded":
        if health.workers:
            return f"Handed to the workers; follow it with `headwater dsr show {ticket_id}`."
        return (
            "Handed to the broker, but no worker is running: start `headwater worker` "
            f"(see `headwater status`); follow it with `headwater dsr show {ticket_id}`."
        )
    if health.workers:
        who = ", ".join(f"{p.role} pid {p.pid} on {p.host}" for p in health.workers)
        return f"A running worker ({who}) moves it on; follow it with `headwater dsr show {ticket_id}`."
    nudges = _nudges(ticket_id, queued, waiting=states.WAITING in statuses)
    return f"No worker is running: keep `headwater serve` or `headwater worker` running, or {nudges}."


def _nudges(ticket_id: str, queued: bool, *, waiting: bool) -> str:
    steps: Sequence[str] = [
        *(["run `headwater worker --once` now"] if queued else []),
        *([f"run `headwater dsr refresh {ticket_id}` to ask the provider now"] if waiting else []),
    ]
    return " or ".join(steps)


def _title(kind: str) -> str:
    try:
        return get_provider(kind).title
    except HeadwaterError:
        return kind


def _at(when: datetime) -> str:
    return when.strftime("at %Y-%m-%d %H:%M UTC")


def after_import(created: int, health: JobsHealth) -> str | None:
    """What moves the requests a bulk import filed, said once for all of them (None if it filed none).

    An import is not run in-process as `dsr create` is: a file of thousands of people is the workers'
    work, so the person is told plainly whether a worker will pick it up."""
    if created == 0:
        return None
    filed = f"{created} request(s) queued"
    if health.mode != "embedded":
        if health.workers:
            return f"{filed} and handed to the workers; follow them with `headwater dsr list`."
        return (
            f"{filed} on the broker, but no worker is running: start `headwater worker` "
            "(see `headwater status`)."
        )
    if health.workers:
        who = ", ".join(f"{p.role} pid {p.pid} on {p.host}" for p in health.workers)
        return f"{filed}; a running worker ({who}) moves them on: follow them with `headwater dsr list`."
    return (
        f"{filed} and no worker is running: keep `headwater serve` or `headwater worker` running, "
        "or run `headwater worker --once` now."
    )
