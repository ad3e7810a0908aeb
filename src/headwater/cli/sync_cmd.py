"""`headwater sync NAME`: load a connection's events into DuckDB or PostgreSQL; `sync history`, `sync log`.

`headwater sync fs` is short for `headwater sync run fs`.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import FrameType
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, err_console, key_values, print_json, table
from headwater.cli.url_passwords import warn_if_password
from headwater.errors import BadInput


class RunByDefault(TyperGroup):
    """A first argument that is not a subcommand is a connection name for `run`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=RunByDefault,
    help="Replicate a connection's events into DuckDB (default) or PostgreSQL, incrementally.",
    no_args_is_help=True,
)
NameArgument = Annotated[str, typer.Argument(help="The connection to sync, e.g. 'fs'.")]


@app.command("run")
@exits_cleanly
def run(
    name: NameArgument,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="duckdb:///path.duckdb or postgresql://... (default: a DuckDB file in the home)"
        ),
    ] = None,
    destination: Annotated[
        str | None,
        typer.Option("--destination", help="A named destination (`headwater destinations list`) instead."),
    ] = None,
    start_date: Annotated[
        str | None, typer.Option("--start-date", metavar="YYYY-MM-DD", help="Where a first run starts.")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Drop what was loaded and load everything again.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Extract and load new events (append-only, resuming from the stored bookmark)."""
    from headwater.sync.runner import SyncRequest, Terminated, run_sync

    warn_if_password(to, "--to")
    request = SyncRequest(
        name, to=to, destination=destination, start_date=_date(start_date), full_refresh=full_refresh
    )
    ctx = Context.load()
    try:
        with _progress(quiet=as_json) as report, _terminated_on_sigterm(Terminated):
            result = run_sync(ctx.settings, request, db=ctx.db, vault=ctx.vault, progress=report)
    except Terminated:
        err_console.print(
            f"Stopped by SIGTERM; the run is recorded as interrupted (`headwater sync history {name}`). "
            "The next run resumes from the last batch loaded.",
            markup=False,
        )
        raise typer.Exit(128 + signal.SIGTERM) from None
    if as_json:
        print_json(result)
        return
    _print_report(result)


@app.command("history")
@exits_cleanly
def history(
    name: NameArgument,
    limit: Annotated[int, typer.Option(min=1, help="How many runs to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Loading reports of past runs: rows per table, bundles or hours, duration."""
    from headwater.sync.history import runs

    found = runs(Context.load().db, name, limit=limit)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print(f"No sync runs for {name!r} yet.")
        return
    rows = [
        (
            run["id"],
            run["started_at"][:19].replace("T", " "),
            run["status"],
            ", ".join(f"{table}: {count:,}" for table, count in run["tables"].items()) or "0",
            f"{run['batches']} {run['batch_unit']}",
            f"{run['duration_s']:.1f} s",
            run["bookmark_after"] or "",
        )
        for run in found
    ]
    columns = ("Run", "Started (UTC)", "Status", "Rows", "Batches", "Duration", "Bookmark")
    console.print(table(f"Sync runs of {name}", columns, rows))


@app.command("log")
@exits_cleanly
def log(
    name: NameArgument,
    run_id: Annotated[int | None, typer.Option("--run", help="Run id (default: the latest).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The extraction log of a run: every API call it made."""
    from headwater.sync.history import calls

    chosen, made = calls(Context.load().db, name, run_id)
    if as_json:
        print_json({"run": chosen, "calls": made})
        return
    rows = [
        (
            c["at"][11:23],
            c["method"],
            c["url"],
            c["status"] or c["error"],
            f"{c['elapsed_ms']:.0f} ms",
            c["attempt"],
        )
        for c in made
    ]
    console.print(
        table(f"Extraction log of run {chosen}", ("Time", "Method", "URL", "Status", "Took", "Try"), rows)
    )


@contextmanager
def _terminated_on_sigterm(error: type[BaseException]) -> Iterator[None]:
    """SIGTERM raises `error` in the main thread, so the run is recorded before the process exits."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise error(f"{signal.Signals(signum).name} before it finished")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInput(f"--start-date {value!r} is not a date in the form YYYY-MM-DD.") from None


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Any]:
    """A live line with events loaded and events per second, on a terminal only."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("[bold]{task.fields[rows]:,}[/] events"),
        TextColumn("{task.fields[rate]:,.0f} events/s"),
        TextColumn("{task.fields[batches]} {task.fields[unit]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("Syncing", total=None, rows=0, rate=0.0, batches=0, unit="batches")

        def report(update: Any) -> None:
            rate = update.rows / update.elapsed if update.elapsed > 0 else 0.0
            bar.update(
                task,
                description=f"Loaded {update.last}",
                rows=update.rows,
                rate=rate,
                batches=update.batches,
                unit=update.unit,
            )

        yield report


def _print_report(result: dict[str, Any]) -> None:
    rate = result.get("rows_per_second")
    summary = {
        "Run": f"#{result['id']} ({result['status']})",
        "Destination": result["destination"],
        "Rows loaded": ", ".join(f"{t}: {n:,}" for t, n in result["tables"].items()) or "0 (nothing new)",
        result["batch_unit"].capitalize(): result["batches"],
        "Duration": f"{result['duration_s']:.1f} s" + (f" ({rate:,.0f} events/s)" if rate else ""),
        "Bookmark": f"{result['bookmark_before'] or '(none)'} -> {result['bookmark_after'] or '(none)'}",
    }
    if result.get("suppressed"):
        summary["Suppressed"] = f"{result['suppressed']:,} rows of people whose deletion is pending, dropped"
    totals = result.get("details", {}).get("table_totals")
    if totals:
        summary["Rows in destination"] = ", ".join(f"{t}: {n:,}" for t, n in totals.items())
    console.print(key_values(summary, title=f"Loading report: {result['connection']}"))
    console.print(
        f"Extraction log: headwater sync log {result['connection']} --run {result['id']}", style="dim"
    )
