"""`headwater destinations`: the named places a sync may load into — the only ones the web may choose.

A password goes to the vault, from standard input with `--password-stdin` so it never shows in the
process list (a URL that carries one is refused); lists show it masked.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import SecretStr

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json, table
from headwater.cli.url_passwords import has_password
from headwater.connections import os_user
from headwater.errors import BadInput
from headwater.sync.destinations import Destinations

app = typer.Typer(
    help="Named sync destinations (the web syncs only into these): add, list, remove.", no_args_is_help=True
)
NameArgument = Annotated[str, typer.Argument(help="The destination's name, e.g. 'warehouse'.")]


def _destinations() -> Destinations:
    ctx = Context.load()
    return Destinations(ctx.db, ctx.vault)


def _password_from_stdin() -> SecretStr:
    value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise BadInput("No password on standard input.", hint="e.g. `printf '%s\\n' \"$PW\" | headwater ...`")
    return SecretStr(value)


@app.command("add")
@exits_cleanly
def add(
    name: NameArgument,
    url: Annotated[str, typer.Argument(help="duckdb:///path/file.duckdb or postgresql://user@host/db.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the database password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a destination; its password (if any) is kept in the vault."""
    if has_password(url):
        raise BadInput(
            "The URL holds a password, which other users of this machine can read with `ps`.",
            hint="Leave it out of the URL and give it on standard input: "
            "`printf '%s\\n' \"$PW\" | headwater destinations add NAME URL --password-stdin`.",
        )
    password = _password_from_stdin() if password_stdin else None
    info = _destinations().add(name, url, actor=os_user(), password=password)
    if as_json:
        print_json(info.as_dict())
        return
    console.print(f"Destination {info.name!r} added: {info.url}", markup=False)


@app.command("list")
@exits_cleanly
def list_(as_json: JsonOption = False) -> None:
    """Every destination, passwords masked."""
    found = _destinations().list_all()
    if as_json:
        print_json([d.as_dict() for d in found])
        return
    if not found:
        console.print("No destinations yet: syncs from the web go to the default DuckDB file.", markup=False)
        return
    rows = [(d.name, d.kind, d.url, d.created_by, d.created_at.strftime("%Y-%m-%d %H:%M")) for d in found]
    console.print(table(None, ["name", "kind", "url", "added by", "added (UTC)"], rows))


@app.command("remove")
@exits_cleanly
def remove(name: NameArgument) -> None:
    """Remove a destination and its stored password (what was loaded stays where it is)."""
    _destinations().remove(name, actor=os_user())
    console.print(f"Destination {name!r} removed.", markup=False)
