"""`headwater actions`: discover actions (by provider or intent), read their schemas, run them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from headwater.actions.catalogue import all_actions, find_action
from headwater.actions.intent import rank
from headwater.actions.local_files import Face
from headwater.actions.model import Action
from headwater.actions.runner import RunOptions, RunResult, run_on_connection
from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.json_input import read_json
from headwater.cli.output import JsonOption, console, err_console, is_interactive, print_json, table
from headwater.cli.progress import progress_bar
from headwater.connections import Connections, os_user
from headwater.connectors.registry import kinds
from headwater.errors import BadInput

app = typer.Typer(help="Typed provider calls: list, inspect and run them.", no_args_is_help=True)


def _service() -> Connections:
    ctx = Context.load()
    return Connections(ctx.db, ctx.vault)


def _hints(action: Action) -> str:
    return "destructive" if action.destructive else "read-only" if action.read_only else "writes"


@app.command("list")
@exits_cleanly
def list_(
    provider: Annotated[str | None, typer.Option(help="Only this provider's actions.")] = None,
    connection: Annotated[str | None, typer.Option(help="Only actions usable on this connection.")] = None,
    intent: Annotated[
        str | None, typer.Option(help="Rank by relevance to what you want, e.g. 'remove a person'.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The action catalogue, optionally ranked by a free-text intent."""
    if provider and connection:
        raise BadInput("Give --provider or --connection, not both.")
    if connection:
        provider = _service().get(connection).kind
    actions = all_actions(provider)
    scored = rank(intent, actions) if intent else [(a, None) for a in actions]
    if as_json:
        print_json([{**a.describe(), **({"score": s} if s is not None else {})} for a, s in scored])
        return
    if not scored:
        console.print("No action matches that intent; try other words, or list them all without --intent.")
        return
    rows = [(a.key, a.provider, _hints(a), a.description) for a, _ in scored]
    console.print(table(None, ["key", "provider", "kind", "description"], rows))


@app.command("show")
@exits_cleanly
def show(
    key: Annotated[str, typer.Argument(help="The action key, e.g. delete-user.")],
    provider: Annotated[
        str | None, typer.Option(help="The provider (needed when several have this key).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """One action with its input and output JSON Schemas."""
    action = _resolve(key, provider)
    if as_json:
        print_json(action.describe())
        return
    console.print(f"[bold]{action.provider} {action.key}[/] — {action.title} ({_hints(action)})")
    console.print(action.description)
    console.print("\n[bold]Input schema[/]")
    console.print_json(json.dumps(action.input_schema()))
    console.print("\n[bold]Output schema[/]")
    console.print_json(json.dumps(action.output_schema()))


def _resolve(key: str, provider: str | None) -> Action:
    if provider:
        return find_action(provider, key)
    owners = [kind for kind in kinds() if any(a.key == key for a in all_actions(kind))]
    if len(owners) == 1:
        return find_action(owners[0], key)
    if owners:
        raise BadInput(f"Several providers have {key!r}: {', '.join(owners)}.", hint="Add --provider.")
    raise BadInput(f"No provider has an action {key!r}.", hint="See `headwater actions list`.")


def _confirm(action: Action, connection: str, yes: bool) -> None:
    if yes:
        return
    what = f"{action.key} on {connection} is destructive: {action.description}"
    if not is_interactive():
        raise BadInput(what, hint="Pass --yes to run it without a prompt, or --dry-run to see the request.")
    if not typer.confirm(f"{what}\nRun it?", default=False):
        err_console.print("Cancelled; nothing was sent.")
        raise typer.Exit(2)


@app.command("run")
@exits_cleanly
def run(
    connection: Annotated[str, typer.Argument(help="The connection to run on.")],
    key: Annotated[str, typer.Argument(help="The action key, e.g. list-users.")],
    input_: Annotated[
        str | None, typer.Option("--input", "-i", help="Input JSON, or @file.json, or @- for stdin.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the HTTP request that would be sent; send nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Run a destructive action without a prompt.")
    ] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="List actions stop after this many items.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run an action: the input is checked against its schema before anything is sent."""
    service = _service()
    action = find_action(service.get(connection).kind, key)
    data = read_json(input_, "--input") if input_ is not None else {}
    action.parse_input(data, face=Face.CLI)  # fail on bad input before any prompt or call
    if action.destructive and not dry_run:
        _confirm(action, connection, yes)
    with progress_bar() as progress:
        options = RunOptions(face=Face.CLI, progress=progress, limit=limit, dry_run=dry_run)
        result = run_on_connection(service, connection, key, data, actor=os_user(), options=options)
    _render(result, as_json)


def _render(result: RunResult, as_json: bool) -> None:
    data = result.as_dict()
    if as_json:
        print_json(data)
        return
    if result.request is not None:
        err_console.print("Dry run: nothing was sent. The request would be:")
        request = result.request
        if "method" in request:
            console.print(f"{request['method']} {request['url']}", markup=False, soft_wrap=True)
            for name, value in request["headers"].items():
                console.print(f"{name}: {value}", markup=False, soft_wrap=True)
            body = request["body"]
            if isinstance(body, str):
                console.print(body, markup=False, soft_wrap=True)
            elif body is not None:
                console.print_json(json.dumps(body))
        else:
            console.print(request.get("note", ""), markup=False)
        return
    console.print_json(json.dumps(data["output"]))
