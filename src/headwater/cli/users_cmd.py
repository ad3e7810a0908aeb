"""`headwater users`: the people who log in to the dashboard (passwords from stdin, never arguments)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from pydantic import SecretStr

from headwater.accounts.roles import ROLES
from headwater.accounts.users import Users
from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json, table
from headwater.connections import os_user
from headwater.errors import BadInput

app = typer.Typer(help="Dashboard users: add, list, change roles, remove.", no_args_is_help=True)
EmailArgument = Annotated[str, typer.Argument(help="The user's email address (their login).")]
RoleOption = Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")]


def _users() -> Users:
    return Users(Context.load().db)


def read_password() -> SecretStr:
    """On a terminal: asked twice without echo. Otherwise: the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise BadInput("The two passwords differ.")
        value = first
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise BadInput(
            "No password on standard input.", hint="e.g. `printf '%s\\n' \"$PW\" | headwater users add ...`"
        )
    return SecretStr(value)


@app.command("add")
@exits_cleanly
def add(email: EmailArgument, role: RoleOption = "viewer", as_json: JsonOption = False) -> None:
    """Add a user; the password is read from standard input."""
    user = _users().add(email, read_password(), role, actor=os_user())
    if as_json:
        print_json(user.as_dict())
    else:
        console.print(f"Added {user.email} as {user.role}.", markup=False)


@app.command("list")
@exits_cleanly
def list_(as_json: JsonOption = False) -> None:
    """Every user with their role and last login."""
    users = _users().list_all()
    if as_json:
        print_json([u.as_dict() for u in users])
        return
    if not users:
        console.print("No users yet. Add one with `headwater users add EMAIL --role admin`.", markup=False)
        return
    rows = [
        (u.email, u.role.value, u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "")
        for u in users
    ]
    console.print(table(None, ["email", "role", "last login (UTC)"], rows))


@app.command("set-role")
@exits_cleanly
def set_role(
    email: EmailArgument, role: Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}.")]
) -> None:
    """Change a user's role (the last admin keeps theirs)."""
    user = _users().set_role(email, role, actor=os_user())
    console.print(f"{user.email} is now {user.role}.", markup=False)


@app.command("set-password")
@exits_cleanly
def set_password(email: EmailArgument) -> None:
    """Give a user a new password (from standard input); their sessions end."""
    user = _users().set_password(email, read_password(), actor=os_user())
    console.print(f"Password of {user.email} changed; their sessions were ended.", markup=False)


@app.command("remove")
@exits_cleanly
def remove(email: EmailArgument) -> None:
    """Remove a user and end their sessions (the last admin cannot be removed)."""
    _users().remove(email, actor=os_user())
    console.print(f"Removed {email.strip().lower()}.", markup=False)
