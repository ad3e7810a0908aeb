"""`headwater dsr`: privacy requests (data subject requests) — create, follow, fix, and hand over.

A command that queues work (`create`, `retry`, `set-identity`, a `refresh` that finds a copy ready) does,
without a broker, the part that can be done now in this process before it returns (`--no-wait`: only
queue it); with one, it hands the work to the workers. Either way it then says what remains and what
will move it on (`privacy.remaining`), so a request never sits queued with no one told.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from headwater.cli import dsr_render as render
from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, err_console, print_json
from headwater.connections import os_user
from headwater.jobs import EmbeddedWorker, health
from headwater.privacy import following, remaining, states
from headwater.privacy.bulk import DUPLICATE, RowResult, import_csv
from headwater.privacy.listing import TicketFilter
from headwater.privacy.service import Privacy

app = typer.Typer(help="Privacy requests: delete or copy a person's data everywhere.", no_args_is_help=True)

TicketArgument = Annotated[str, typer.Argument(help="The ticket id, e.g. DSR-7K3QX2.")]
WaitOption = Annotated[
    bool | None,
    typer.Option(
        "--wait/--no-wait",
        help="Do the work that can be done now and show its progress (the default without a broker); "
        "--no-wait only queues it.",
        show_default=False,
    ),
]
WAIT_NUDGE_SECONDS = 15.0


def _privacy() -> Privacy:
    ctx = Context.load()
    return Privacy.open(ctx.settings, ctx.db)


def _show(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(data)
    else:
        render.ticket(data)


def _follow_up(privacy: Privacy, data: dict[str, Any], wait: bool | None) -> dict[str, Any]:
    """After queuing work: do what can be done now (embedded, unless --no-wait), then say what remains."""
    if wait is None:
        wait = privacy.queue.mode == "embedded"
    if wait and data["status"] in (states.RECEIVED, states.IN_PROGRESS):
        data = _wait(privacy, data["id"])
    for line in remaining.outlook(privacy.db, data, health.of_queue(privacy.queue)):
        err_console.print(line, markup=False)
    return data


def _wait(privacy: Privacy, ticket_id: str) -> dict[str, Any]:
    """Show progress until the ticket leaves received/in_progress. Embedded mode does the work here, and
    stops when nothing more of it is due now (a retry's backoff, a provider that answers later)."""
    worker = None
    if privacy.queue.mode == "embedded":
        worker = EmbeddedWorker(
            privacy.queue, concurrency=2, ticker=False, kinds=remaining.REQUEST_KINDS
        ).start(once=True)
    started, last, nudged = time.monotonic(), "", False
    try:
        while True:
            idle = worker is not None and worker.idle  # read first: the show below then sees its work
            data = privacy.show(ticket_id)
            line = render.progress_line(data)
            if line != last:
                err_console.print(line, markup=False)
                last = line
            if data["status"] not in (states.RECEIVED, states.IN_PROGRESS) or idle:
                return data
            if worker is None and not nudged and time.monotonic() - started > WAIT_NUDGE_SECONDS:
                err_console.print("Still queued: is a worker running? Start one with `headwater worker`.")
                nudged = True
            time.sleep(0.2)
    finally:
        if worker is not None:  # claim nothing more; let what runs finish (a job ends just after its task)
            worker.stop()
            worker.join(privacy.queue.job_settings.shutdown_grace_seconds)
            worker.shutdown()


@app.command("create")
@exits_cleanly
def create(
    kind: Annotated[str, typer.Option("--kind", help="delete or copy.")],
    email: Annotated[str, typer.Option("--email", help="The person's email address.")],
    fullstory_uid: Annotated[
        str | None, typer.Option(help="Their FullStory uid (your app's user id).")
    ] = None,
    amplitude_user_id: Annotated[str | None, typer.Option(help="Their Amplitude user id.")] = None,
    amplitude_id: Annotated[int | None, typer.Option(help="Their Amplitude amplitude_id (a number).")] = None,
    connection: Annotated[
        list[str] | None,
        typer.Option("--connection", help="Only this connection (repeatable); default: all."),
    ] = None,
    regulation: Annotated[str, typer.Option(help="gdpr (30 days) or ccpa (45 days).")] = "gdpr",
    wait: WaitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a privacy request for one person in every enabled connection (or those named)."""
    privacy = _privacy()
    identifiers = {
        "fullstory_uid": fullstory_uid,
        "amplitude_user_id": amplitude_user_id,
        "amplitude_id": amplitude_id,
    }
    data = privacy.create(
        kind=kind,
        email=email,
        identifiers=identifiers,
        connections=connection,
        regulation=regulation,
        actor=os_user(),
    )
    _show(_follow_up(privacy, data, wait), as_json)


@app.command("list")
@exits_cleanly
def list_(
    status: Annotated[str | None, typer.Option(help="Only tickets in this status.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind: delete or copy.")] = None,
    regulation: Annotated[str | None, typer.Option(help="Only this regulation: gdpr or ccpa.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open tickets past their deadline.")
    ] = False,
    due_within_days: Annotated[
        int | None, typer.Option("--due-within-days", min=0, help="Only open tickets due this soon.")
    ] = None,
    connection: Annotated[
        str | None, typer.Option("--connection", help="Only tickets with a task in this connection.")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="An email (or its start) or a ticket id.")
    ] = None,
    needs_attention: Annotated[
        bool,
        typer.Option(
            "--needs-attention",
            help="Only tickets with a failed task or one needing input, whatever their status.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    cursor: Annotated[
        str | None, typer.Option(help="Continue after a previous page (the cursor it printed).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Privacy requests, newest first, with their deadline; the same filters as the dashboard."""
    filters = TicketFilter(
        status, kind, regulation, overdue, due_within_days, connection, search, needs_attention
    )
    privacy = _privacy()
    rows, next_cursor = privacy.page_tickets(filters, limit=limit, cursor=cursor)
    if as_json:
        print_json(rows)
    else:
        render.tickets(rows)
    if next_cursor is not None:
        err_console.print(f"More: add --cursor {next_cursor}", markup=False)
    stalled = health.of_queue(privacy.queue).warning
    if stalled:
        err_console.print(f"Warning: {stalled}", markup=False)


@app.command("show")
@exits_cleanly
def show(ticket: TicketArgument, as_json: JsonOption = False) -> None:
    """One request: its tasks, counts, errors and deadline."""
    _show(_privacy().show(ticket), as_json)


@app.command("retry")
@exits_cleanly
def retry(ticket: TicketArgument, wait: WaitOption = None, as_json: JsonOption = False) -> None:
    """Run the request's failed tasks again."""
    privacy = _privacy()
    _show(_follow_up(privacy, privacy.retry(ticket, actor=os_user()), wait), as_json)


@app.command("cancel")
@exits_cleanly
def cancel(
    ticket: TicketArgument,
    reason: Annotated[str, typer.Option(help="Why, for the audit trail.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Stop working on a request (deletions a provider already runs go on there)."""
    _show(_privacy().cancel(ticket, actor=os_user(), reason=reason), as_json)


@app.command("set-identity")
@exits_cleanly
def set_identity(
    ticket: TicketArgument,
    connection: Annotated[str, typer.Option("--connection", help="The connection that needs it.")],
    uid: Annotated[str | None, typer.Option("--uid", help="The person's id in that connection.")] = None,
    amplitude_id: Annotated[int | None, typer.Option(help="Or, for Amplitude, the amplitude_id.")] = None,
    wait: WaitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give the identifier a connection asked for; the task then runs again."""
    privacy = _privacy()
    data = privacy.set_identity(
        ticket, connection=connection, uid=uid, amplitude_id=amplitude_id, actor=os_user()
    )
    _show(_follow_up(privacy, data, wait), as_json)


@app.command("refresh")
@exits_cleanly
def refresh(ticket: TicketArgument, wait: WaitOption = None, as_json: JsonOption = False) -> None:
    """Poll a waiting request's provider jobs now, whatever their schedule says (exit 1 if a job could
    not be polled: each is named with why)."""
    privacy = _privacy()
    data = privacy.refresh(ticket, actor=os_user())
    if not as_json:
        for line in following.summary(data["polled"], data["poll_failures"]):
            console.print(line, markup=False, soft_wrap=True)
    followed = _follow_up(privacy, data, wait)
    _show({**followed, "polled": data["polled"], "poll_failures": data["poll_failures"]}, as_json)
    if data["poll_failures"]:
        raise typer.Exit(1)


@app.command("audit")
@exits_cleanly
def audit(ticket: TicketArgument, as_json: JsonOption = False) -> None:
    """The request's append-only trail: who did what, each provider call and its result."""
    entries = _privacy().audit(ticket)
    if as_json:
        print_json(entries)
    else:
        render.trail(entries)


@app.command("package")
@exits_cleanly
def package(
    ticket: TicketArgument,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the ZIP.")],
    as_json: JsonOption = False,
) -> None:
    """Write a completed copy request's access package (ZIP with manifest, summary and evidence)."""
    data = _privacy().package(ticket, output, actor=os_user())
    if as_json:
        print_json(data)
    else:
        console.print(f"Wrote {data['path']}: {data['files']} files, {data['records']} records.")
        console.print(f"SHA-256 {data['sha256']}")


@app.command("import")
@exits_cleanly
def import_(
    file: Annotated[Path, typer.Argument(help="CSV with an `email` column, one row per person.")],
    kind: Annotated[str, typer.Option(help="Kind for rows without one: delete or copy.")] = "delete",
    regulation: Annotated[str, typer.Option(help="Regulation for rows without one.")] = "gdpr",
    as_json: JsonOption = False,
) -> None:
    """Open one request per CSV row; each row's result is reported, and a bad row stops nothing.

    A person who already has an open request of the row's kind is skipped as a duplicate, so a file
    can be imported again (after an interrupted import, say) without filing anyone twice."""
    privacy = _privacy()
    summary = import_csv(privacy, file, kind=kind, regulation=regulation, actor=os_user())
    if as_json:
        print_json(summary.as_dict())
    else:
        for r in summary.rows:
            console.print(_import_line(r), markup=False)
        counts = summary.as_dict()
        console.print(
            f"{counts['created']} request(s) created, {counts['duplicates']} duplicate(s) skipped, "
            f"{counts['refused']} row(s) refused."
        )
    moved_on = remaining.after_import(summary.as_dict()["created"], health.of_queue(privacy.queue))
    if moved_on is not None:
        err_console.print(moved_on, markup=False)
    if any(not r.ok for r in summary.rows):
        raise typer.Exit(1)


def _import_line(row: RowResult) -> str:
    if row.outcome == DUPLICATE:
        return f"line {row.line}: duplicate: {row.ticket} is already open ({row.status}) for {row.email}"
    if not row.ok:
        return f"line {row.line}: refused: {row.error}"
    return f"line {row.line}: {row.ticket} {row.status}"
