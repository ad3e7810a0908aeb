"""`headwater serve`: the REST API and the dashboard, with the embedded worker in the same process."""

from __future__ import annotations

from typing import Annotated

import typer

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import err_console


@exits_cleanly
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8800,
    worker: Annotated[
        bool,
        typer.Option("--worker/--no-worker", help="Embedded mode: also run jobs and periodic work here."),
    ] = True,
    proxy_headers: Annotated[
        bool, typer.Option(help="Trust X-Forwarded-* from a reverse proxy on this machine (for HTTPS).")
    ] = False,
) -> None:
    """Serve the dashboard and the REST API (/api/v1, docs at /api/docs) until Ctrl-C."""
    import uvicorn

    from headwater.accounts.users import Users
    from headwater.web.app import create_app

    ctx = Context.load()
    app = create_app(ctx.settings, db=ctx.db, run_worker=worker)
    services = app.state.services
    shown = f"[{host}]" if ":" in host else host
    mode = services.queue.mode
    jobs = (
        "jobs run by Celery workers"
        if mode != "embedded"
        else ("jobs run in this process" if worker else "jobs wait for `headwater worker`")
    )
    err_console.print(
        f"Headwater dashboard on http://{shown}:{port} (API docs at /api/docs); {jobs}.", markup=False
    )
    if Users(ctx.db).count() == 0:
        err_console.print(
            "No users yet: add one with `headwater users add EMAIL --role admin` (password on stdin).",
            markup=False,
        )
    uvicorn.run(
        app, host=host, port=port, log_level="warning", proxy_headers=proxy_headers, server_header=False
    )
