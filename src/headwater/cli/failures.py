"""Turning known failures into a message and their documented exit code inside each command.

`main.run()` does the same for the console entry point; doing it per command as well makes the exit
codes hold under any caller, including `typer.testing.CliRunner`. Messages are escaped: a provider's
text such as "[redacted]" must not be read as Rich markup.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.markup import escape

from headwater.cli.output import err_console
from headwater.errors import HeadwaterError

P = ParamSpec("P")
R = TypeVar("R")


def report(exc: HeadwaterError) -> None:
    err_console.print(f"[bold red]Error:[/] {escape(exc.message)}", markup=True, highlight=False)
    if exc.hint:
        err_console.print(exc.hint, markup=False, highlight=False)


def exits_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except HeadwaterError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None

    return wrapper
