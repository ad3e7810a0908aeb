"""`headwater worker`: run background jobs, in-process or as a Celery worker."""

from __future__ import annotations

from typing import Annotated

import typer

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import err_console
from headwater.config import mask_url
from headwater.jobs import open_queue
from headwater.jobs.engine import describe_mode, run_ticker_only, run_worker


@exits_cleanly
def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, help="Jobs run at the same time by this process.")
    ] = 1,
    once: Annotated[bool, typer.Option("--once", help="Run every job that is due, then exit.")] = False,
    ticker: Annotated[
        bool,
        typer.Option("--ticker/--no-ticker", help="Take part in firing periodic work (one process acts)."),
    ] = True,
    ticker_only: Annotated[
        bool, typer.Option("--ticker-only", help="Fire periodic work and sweep, but run no jobs.")
    ] = False,
) -> None:
    """Run jobs until stopped (SIGTERM or Ctrl-C finishes or hands back the running ones).

    Without HEADWATER_BROKER_URL jobs are claimed from the store; with it, this starts a Celery worker.
    """
    ctx = Context.load()
    queue = open_queue(ctx.db, ctx.settings)
    if ticker_only:
        err_console.print(f"Headwater ticker on {mask_url(queue.db.url)}.", markup=False)
        run_ticker_only(queue)
        return
    err_console.print(f"Headwater {describe_mode(queue, concurrency, once=once)}.", markup=False)
    counts = run_worker(queue, concurrency=concurrency, once=once, ticker=ticker)
    if once:
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "nothing due"
        err_console.print(f"Ran the due jobs: {summary}.", markup=False)
    code = counts.get("exit_code", 0)
    if code:
        raise typer.Exit(code)
