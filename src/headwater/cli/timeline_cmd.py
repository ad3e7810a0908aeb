"""`headwater timeline NAME --email E`: one person's events in order, by session and page."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.tree import Tree

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json
from headwater.errors import BadInput


@exits_cleanly
def timeline(
    name: Annotated[str, typer.Argument(help="The synced connection, e.g. 'fs'.")],
    email: Annotated[str | None, typer.Option("--email", help="The person's email.")] = None,
    uid: Annotated[str | None, typer.Option("--uid", help="Your own user id for the person.")] = None,
    session: Annotated[str | None, typer.Option("--session", help="Only this session.")] = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="The destination the sync wrote to (default: where it last wrote)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The user session timeline, from the events a sync loaded."""
    from headwater.connections import Connections
    from headwater.sync import history
    from headwater.sync.target import parse_target
    from headwater.sync.timeline import timeline as build

    ctx = Context.load()
    kind = Connections(ctx.db, ctx.vault).get(name).kind
    if source is None:
        last = history.last_destination(ctx.db, name)
        if last and last.startswith("duckdb://"):
            source = last
        elif last:
            raise BadInput(
                f"{name!r} was last synced to {last}; pass that URL (with its password) as --from.",
            )
    target = parse_target(source, home=ctx.settings.home, connection=name)
    result = build(target, kind, email=email, uid=uid, session=session)
    if as_json:
        print_json({"connection": name, **result})
        return
    console.print(_tree(name, result))


def _tree(name: str, result: dict[str, Any]) -> Tree:
    person = result["person"]
    who = " ".join(str(v) for v in (person.get("name"), person.get("email"), person.get("uid")) if v)
    root = Tree(f"[bold]{who}[/] — {result['events']} events in {len(result['sessions'])} sessions ({name})")
    for session in result["sessions"]:
        branch = root.add(
            f"[bold]Session {session['session']}[/]  {_clock(session['start'])} to {_clock(session['end'])}"
            f"  ({session['events']} events)"
        )
        for page in session["pages"]:
            leaf = branch.add(f"[cyan]{page['page'] or '(no page)'}[/]")
            for event in page["events"]:
                words = [_clock(event["time"], seconds=True), f"[bold]{event.get('type', '')}[/]"]
                if event.get("target"):
                    words.append(repr(event["target"]))
                if event.get("detail"):
                    words.append(f"({event['detail']})")
                leaf.add(" ".join(words))
    if result.get("truncated"):
        root.add("[dim]… more events not shown; narrow with --session[/]")
    return root


def _clock(value: str | None, *, seconds: bool = False) -> str:
    if not value:
        return "?"
    text = value.replace("T", " ")
    return text[11:23] if seconds else text[:16]
