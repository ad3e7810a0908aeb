"""The `headwater` command. Command groups are listed in `commands.py` and imported only when used."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from headwater import __version__
from headwater.cli.commands import COMMANDS
from headwater.cli.failures import report
from headwater.cli.lazy import lazy_group
from headwater.errors import HeadwaterError

app = typer.Typer(
    name="headwater",
    help="Keep control of the customer data you send to FullStory and Amplitude.",
    cls=lazy_group(COMMANDS),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
    rich_markup_mode="rich",
)


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
