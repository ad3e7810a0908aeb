"""A Rich progress bar behind the `(description, done, total)` reporter actions call.

Shown only when stderr is a terminal; elsewhere the reporter does nothing, so piped output and logs stay
clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from headwater.actions.model import Progress as Reporter
from headwater.actions.model import no_progress
from headwater.cli.output import err_console


@contextmanager
def progress_bar() -> Iterator[Reporter]:
    if not err_console.is_terminal:
        yield no_progress
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def report(description: str, done: int, total: int | None) -> None:
            if description not in tasks:
                tasks[description] = bar.add_task(description, total=total)
            bar.update(tasks[description], completed=done, total=total)

        yield report
