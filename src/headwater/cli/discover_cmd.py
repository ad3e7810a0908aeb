"""`headwater discover`: which fields of the collected data hold personal data, and Preview mode."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

import headwater.discovery  # noqa: F401  (registers preview samples with `headwater keys rotate`)
from headwater.cli.context import Context
from headwater.cli.discover_views import print_report, print_samples, print_stored
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json
from headwater.cli.url_passwords import warn_if_password
from headwater.connections import os_user
from headwater.errors import BadInput, NotFound

app = typer.Typer(help="Find the fields of your event data that hold personal data.", no_args_is_help=True)
preview_app = typer.Typer(help="Encrypted sample values of the findings, kept 7 days.", no_args_is_help=True)
app.add_typer(preview_app, name="preview")

NameArgument = Annotated[str, typer.Argument(help="The connection's name.")]


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--since {value!r} is not a date.", hint="Use YYYY-MM-DD.") from None


@app.command("scan")
@exits_cleanly
def scan(
    name: Annotated[
        str | None, typer.Argument(help="The connection whose replicated events to scan.")
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option(
            "--file", help="An exported event file (NDJSON or JSON array, gzip or plain); repeatable."
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only events on or after this date (YYYY-MM-DD).")] = None,
    sample: Annotated[int, typer.Option(min=1, help="Distinct values sampled per field.")] = 1000,
    threshold: Annotated[
        float, typer.Option(min=0.0001, max=1.0, help="Report a type found in at least this share of values.")
    ] = 0.05,
    source: Annotated[
        str | None, typer.Option("--from", help="The sync destination, when it is PostgreSQL (its URL).")
    ] = None,
    background: Annotated[bool, typer.Option(help="Run the scan as a background job.")] = False,
    presidio: Annotated[
        bool,
        typer.Option(help="Also run Presidio's recognizers (needs `pip install 'headwater[presidio]'`)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Scan a connection's replicated events, or exported files, for personal data.

    NAME stores the findings as the connection's known data types; --file alone only prints them.
    """
    from headwater.discovery.scan import ScanOptions
    from headwater.discovery.service import scan_connection, scan_exported_files

    warn_if_password(source, "--from")
    options = ScanOptions(sample=sample, threshold=threshold, since=_since(since), presidio=presidio)
    if name is None and not file:
        raise BadInput("Name a connection to scan, or give exported files with --file PATH.")
    if background:
        _submit(name, options, file)
        return
    if name is None:
        outcome = scan_exported_files(list(file or []), options)
    else:
        ctx = Context.load()
        outcome = scan_connection(
            ctx.db,
            ctx.settings,
            lambda: ctx.vault,
            name,
            options,
            actor=os_user(),
            files=list(file) if file else None,
            source_url=source,
        )
    if as_json:
        print_json(outcome.report.as_dict())
    else:
        print_report(outcome)


def _submit(name: str | None, options: object, files: list[Path] | None) -> None:
    from headwater.discovery.scan import ScanOptions
    from headwater.discovery.tasks import SCAN_KIND
    from headwater.jobs import open_queue

    if name is None or files:
        raise BadInput("--background scans a connection's replicated events; it takes no --file.")
    assert isinstance(options, ScanOptions)
    ctx = Context.load()
    payload = {
        "connection": name,
        "sample": options.sample,
        "threshold": options.threshold,
        "since": options.since.isoformat() if options.since else None,
        "presidio": options.presidio,
    }
    job = open_queue(ctx.db, ctx.settings).submit(SCAN_KIND, payload)
    console.print(f"Scan of {name} submitted as job {job.id}; see `headwater jobs show {job.id}`.")


@app.command("results")
@exits_cleanly
def results(name: NameArgument, as_json: JsonOption = False) -> None:
    """The latest scan's findings for a connection (its known data types)."""
    from headwater.discovery.results import latest

    ctx = Context.load()
    with ctx.db.session() as session:
        stored = latest(session, name)
    if stored is None:
        raise NotFound(
            f"Connection {name!r} has not been scanned yet.", hint=f"Run `headwater discover scan {name}`."
        )
    if as_json:
        print_json(stored.as_dict())
    else:
        print_stored(stored)


@preview_app.command("enable")
@exits_cleanly
def preview_enable(name: NameArgument, as_json: JsonOption = False) -> None:
    """Keep up to 5 encrypted sample values per finding from the next scan on (7 days each)."""
    from headwater.discovery.service import set_preview

    set_preview(Context.load().db, name, True, actor=os_user())
    if as_json:
        print_json({"connection": name, "preview": True})
    else:
        console.print(f"Preview mode enabled for {name}: the next scan keeps encrypted samples for 7 days.")


@preview_app.command("disable")
@exits_cleanly
def preview_disable(name: NameArgument, as_json: JsonOption = False) -> None:
    """Stop keeping samples, and delete the ones already kept."""
    from headwater.discovery.service import set_preview

    deleted = set_preview(Context.load().db, name, False, actor=os_user())
    if as_json:
        print_json({"connection": name, "preview": False, "samples_deleted": deleted})
    else:
        console.print(f"Preview mode disabled for {name}; {deleted} stored sample(s) deleted.")


@preview_app.command("show")
@exits_cleanly
def preview_show(
    name: NameArgument,
    path: Annotated[str, typer.Option("--path", help="The field, e.g. event_properties.note.")],
    reveal: Annotated[bool, typer.Option(help="Print the values in full instead of masked.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The unexpired sample values of one field, masked unless --reveal."""
    from headwater.discovery import preview
    from headwater.store.models import utcnow

    ctx = Context.load()
    with ctx.db.session() as session:
        found = preview.samples(session, ctx.vault, name, path, utcnow())
        kept = preview.counts(session, name, utcnow()) if not found else {}
    if not found:
        hint = (
            "Fields with samples: " + ", ".join(sorted(kept)) + "."
            if kept
            else f"Enable Preview mode (`headwater discover preview enable {name}`) and scan again."
        )
        raise NotFound(f"No preview samples for {path!r} in {name}.", hint=hint)
    if as_json:
        print_json(
            {
                "connection": name,
                "path": path,
                "revealed": reveal,
                "samples": [
                    {
                        "type": s.type,
                        "value": s.shown(reveal),
                        "taken_at": s.taken_at,
                        "expires_at": s.expires_at,
                    }
                    for s in found
                ],
            }
        )
    else:
        print_samples(name, path, found, reveal)


@preview_app.command("purge")
@exits_cleanly
def preview_purge(as_json: JsonOption = False) -> None:
    """Delete expired samples now (a periodic job also does it every hour)."""
    from headwater.discovery.purge import purge

    deleted = purge(Context.load().db)
    if as_json:
        print_json({"deleted": deleted})
    else:
        console.print(f"Deleted {deleted} expired preview sample(s).")
