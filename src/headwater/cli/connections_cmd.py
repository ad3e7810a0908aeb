"""`headwater connections`: list, inspect, re-test, switch on and off, and remove connections."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import (
    JsonOption,
    console,
    err_console,
    is_interactive,
    key_values,
    print_json,
    table,
)
from headwater.connections import Connections, ConnectionSummary, os_user
from headwater.discovery.results import known_data_types
from headwater.errors import BadInput
from headwater.privacy import dependents

app = typer.Typer(help="Manage stored connections (credentials are always masked).", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="The connection's name.")]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Go ahead even if open privacy requests still need it.")
]


def _service() -> Connections:
    ctx = Context.load()
    return Connections(ctx.db, ctx.vault)


def _shown(name: str) -> dict[str, Any]:
    """The connection masked, with the kinds of personal data its latest discovery scan found."""
    ctx = Context.load()
    data = Connections(ctx.db, ctx.vault).show(name)
    return {**data, "data_types": known_data_types(ctx.db, name)}


def _settings_text(settings: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in settings.items() if v is not None)


def _open_tickets(name: str, action: str, yes: bool) -> list[str]:
    """Open privacy requests that need the connection; refused (exit 2, naming them) without --yes."""
    return dependents.check(Context.load().db, name, action=action, force=yes)


def _warn(name: str, tickets: list[str]) -> None:
    if tickets:
        err_console.print(dependents.warning(name, tickets), markup=False, soft_wrap=True)


def _summary(summary: ConnectionSummary, as_json: bool, message: str) -> None:
    if as_json:
        print_json(summary.as_dict())
    else:
        console.print(message)


@app.command("list")
@exits_cleanly
def list_(as_json: JsonOption = False) -> None:
    """Every connection, with its provider, state and settings."""
    summaries = _service().list_all()
    if as_json:
        print_json([s.as_dict() for s in summaries])
        return
    if not summaries:
        console.print("No connections yet. Add one with `headwater connect fullstory|amplitude ...`.")
        return
    rows = [
        (s.name, s.kind, "enabled" if s.enabled else "disabled", _settings_text(s.settings))
        for s in summaries
    ]
    console.print(table(None, ["name", "provider", "state", "settings"], rows))


@app.command("show")
@exits_cleanly
def show(name: NameArgument, as_json: JsonOption = False) -> None:
    """One connection in full, credentials masked."""
    data = _shown(name)
    if as_json:
        print_json(data)
        return
    flat = {k: v for k, v in data.items() if k not in ("settings", "credentials", "data_types")}
    flat.update({f"settings.{k}": v for k, v in data["settings"].items()})
    flat.update({f"credentials.{k}": v for k, v in data["credentials"].items()})
    found = ", ".join(data["data_types"])
    flat["personal data found"] = found or "not scanned yet (`headwater discover scan NAME`)"
    console.print(key_values(flat, f"Connection {name}"))


@app.command("test")
@exits_cleanly
def test(name: NameArgument, as_json: JsonOption = False) -> None:
    """Check the stored credentials against the provider now (exit 4 if they are refused)."""
    summary = _service().test(name, actor=os_user())
    if as_json:
        print_json({**summary.as_dict(), "ok": True})
    else:
        console.print(f"Connection {name} works: {summary.kind} accepted its credentials.")


@app.command("enable")
@exits_cleanly
def enable(name: NameArgument, as_json: JsonOption = False) -> None:
    """Allow actions, requests and privacy work through this connection again."""
    _summary(_service().enable(name, actor=os_user()), as_json, f"Connection {name} enabled.")


@app.command("disable")
@exits_cleanly
def disable(name: NameArgument, yes: YesOption = False, as_json: JsonOption = False) -> None:
    """Stop every call through this connection, keeping its credentials (open privacy requests that
    still need it are named, and --yes is needed to go ahead)."""
    service = _service()
    service.get(name)
    tickets = _open_tickets(name, "disable", yes)
    _summary(service.disable(name, actor=os_user()), as_json, f"Connection {name} disabled.")
    _warn(name, tickets)


@app.command("remove")
@exits_cleanly
def remove(
    name: NameArgument,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask, even if open privacy requests still need it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete the connection and its stored credentials (open privacy requests that still need it are
    named, and --yes is needed to go ahead)."""
    service = _service()
    service.get(name)  # a missing name fails before any question is asked
    tickets = _open_tickets(name, "remove", yes)
    if not yes:
        if not is_interactive():
            raise BadInput(
                f"Removing {name!r} deletes its stored credentials.", hint="Pass --yes to confirm."
            )
        typer.confirm(f"Remove connection {name} and its stored credentials?", abort=True)
    service.remove(name, actor=os_user())
    if as_json:
        print_json({"name": name, "removed": True})
    else:
        console.print(f"Connection {name} removed, with its stored credentials.")
    _warn(name, tickets)
