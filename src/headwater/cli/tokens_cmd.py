"""`headwater tokens`: API tokens for machines. A token is printed once; only its digest is kept."""

from __future__ import annotations

from typing import Annotated

import typer

from headwater.accounts.roles import ROLES
from headwater.accounts.tokens import TokenInfo, Tokens
from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, err_console, print_json, table
from headwater.connections import os_user

app = typer.Typer(help="API tokens for the REST API: create, list, revoke.", no_args_is_help=True)


def _tokens() -> Tokens:
    return Tokens(Context.load().db)


@app.command("create")
@exits_cleanly
def create(
    name: Annotated[str, typer.Option("--name", help="What uses it, e.g. 'ci' or 'ticket-intake'.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    expires_in: Annotated[
        str | None,
        typer.Option(
            "--expires-in",
            metavar="LIFETIME",
            help="e.g. 90d, 12h, 2w or never (default: HEADWATER_TOKEN_DEFAULT_TTL, else never).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a token and print it once (to standard output); store it where the machine reads it."""
    info, token = _tokens().create(name, role, actor=os_user(), expires_in=expires_in)
    if as_json:
        print_json({**info.as_dict(), "token": token.get_secret_value()})
        return
    until = f"valid until {info.expires_at:%Y-%m-%d %H:%M} UTC" if info.expires_at else "never expires"
    err_console.print(
        f"Token {info.name!r} ({info.role}, {until}) created. It is shown this once:", markup=False
    )
    console.print(token.get_secret_value(), markup=False, highlight=False, soft_wrap=True)
    err_console.print("Send it as `Authorization: Bearer TOKEN`.", markup=False)


@app.command("list")
@exits_cleanly
def list_(as_json: JsonOption = False) -> None:
    """Every token, by name and role, with its last use and expiry (never the token itself)."""
    tokens = _tokens().list_all()
    if as_json:
        print_json([t.as_dict() for t in tokens])
        return
    if not tokens:
        console.print("No API tokens yet.", markup=False)
        return
    rows = [
        (
            t.name,
            t.role.value,
            f"{t.prefix}…",
            t.created_by,
            t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never",
            _expiry(t),
        )
        for t in tokens
    ]
    columns = ["name", "role", "starts with", "created by", "last used (UTC)", "expires (UTC)"]
    console.print(table(None, columns, rows))


def _expiry(token: TokenInfo) -> str:
    if token.expires_at is None:
        return "never"
    when = token.expires_at.strftime("%Y-%m-%d %H:%M")
    return f"expired {when}" if token.expired else when


@app.command("revoke")
@exits_cleanly
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token at once."""
    _tokens().revoke(name, actor=os_user())
    console.print(f"Token {name!r} revoked.", markup=False)
