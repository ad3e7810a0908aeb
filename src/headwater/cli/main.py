"""The `headwater` command: a root app that mounts one module per command group."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from headwater import __version__
from headwater.cli import (
    actions_cmd,
    config_cmd,
    connect_cmd,
    connections_cmd,
    demo_cmd,
    keys_cmd,
    request_cmd,
)
from headwater.cli import sandbox as sandbox_cli
from headwater.cli.failures import report
from headwater.errors import HeadwaterError

app = typer.Typer(
    name="headwater",
    help="Keep control of the customer data you send to FullStory and Amplitude.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
    rich_markup_mode="rich",
)
app.add_typer(config_cmd.app, name="config")
app.add_typer(keys_cmd.app, name="keys")
app.command("demo")(demo_cmd.demo)
app.command("sandbox")(sandbox_cli.sandbox)
app.add_typer(connect_cmd.app, name="connect")
app.add_typer(connections_cmd.app, name="connections")
app.add_typer(actions_cmd.app, name="actions")
app.command("request")(request_cmd.request)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"headwater {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Privacy requests, actions, replication, workflows and PII discovery for FullStory and Amplitude."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def run() -> None:
    """Console entry point: known failures become a clear message and their documented exit code."""
    try:
        app()
    except HeadwaterError as exc:
        report(exc)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    run()
