"""Command groups that are imported only when used.

Importing every command module pulls in FastAPI, SQLAlchemy, DuckDB, Celery and the sandbox, which
costs seconds on every invocation — `headwater --version` included. The root group below knows each
command's name and one-line help, and imports a command's module only when that command runs (or
when its own `--help` is asked for).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from headwater.text_input import HINT, control_character

# Typer ships its own copy of click; its types are left as Any here rather than named privately.


@dataclass(frozen=True)
class CommandRef:
    name: str
    module: str
    attr: str  # a Typer app (a command group) or a plain function (a single command)
    help: str

    def load(self) -> Any:
        target = getattr(importlib.import_module(self.module), self.attr)
        if isinstance(target, typer.Typer):
            group = typer.main.get_group(target)
            group.name = self.name
            return group
        single = typer.Typer()
        single.command(self.name)(target)
        return typer.main.get_command(single)


class LazyGroup(TyperGroup):
    """A Typer root group whose sub-commands come from `COMMANDS`, loaded on first use."""

    commands_by_name: dict[str, CommandRef] = {}
    _listing = False

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Every argument of every command is text that may reach the store: none may hold a control
        character but tab and line feed (a note can span lines), whichever command it is for."""
        for arg in args:
            problem = control_character(arg, multiline=True)
            if problem is not None:
                raise typer.BadParameter(f"an argument {problem}. {HINT}")
        return list(super().parse_args(ctx, args))

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *self.commands_by_name]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        eager = super().get_command(ctx, cmd_name)
        if eager is not None:
            return eager
        ref = self.commands_by_name.get(cmd_name)
        if ref is None:
            return None
        if self._listing:  # the root's help only needs names and one-line help
            return TyperCommand(ref.name, help=ref.help, short_help=ref.help)
        return ref.load()

    @contextmanager
    def _help_listing(self) -> Iterator[None]:
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with self._help_listing():
            super().format_help(ctx, formatter)


def lazy_group(refs: list[CommandRef]) -> type[LazyGroup]:
    """A `LazyGroup` class bound to these commands, for `typer.Typer(cls=...)`."""
    return type("HeadwaterCommands", (LazyGroup,), {"commands_by_name": {ref.name: ref for ref in refs}})
