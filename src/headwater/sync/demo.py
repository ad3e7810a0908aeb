"""The replication step of `make demo`: sync both sandbox connections into DuckDB, then show a short
session timeline for one person, as `headwater sync` and `headwater timeline` would."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from headwater.connections import Connections
from headwater.errors import NotFound
from headwater.sync.runner import SyncRequest, run_sync
from headwater.sync.target import parse_target
from headwater.sync.timeline import timeline
from headwater.vault import Vault, load_keyring

FIRST_PERSON = 3  # earlier demo steps ask for copies and deletions of the first people
FULLSTORY_DAYS = 2
EVENTS_SHOWN = 8


def step_replication(run: Any) -> None:
    connections = Connections(run.db, Vault(load_keyring(run.settings)))
    _ensure(connections, run.sandbox)
    world, say = run.sandbox.world, run.console.print
    # FullStory serves 2 bundle downloads a minute, so the demo takes its latest two daily bundles
    since = {"fs": world.end - timedelta(days=FULLSTORY_DAYS), "amp": world.start}
    for name in ("fs", "amp"):
        request = SyncRequest(name, start_date=since[name].date())
        report = run_sync(run.settings, request, db=run.db)
        rate = report["rows_per_second"] or 0
        say(
            f"headwater sync {name} --start-date {since[name]:%Y-%m-%d}: {report['rows']:,} events in "
            f"{report['batches']} {report['batch_unit']} ({report['duration_s']:.1f} s, "
            f"{rate:,.0f} events/s) into {report['destination']}"
        )
    again = run_sync(run.settings, SyncRequest("amp"), db=run.db)
    say(f"Run again: {again['rows']} new events (incremental from bookmark {again['bookmark_before']}).")
    person = _someone_active(world, since["fs"])
    target = parse_target(None, home=run.settings.home, connection="fs")
    found = timeline(target, "fullstory", email=person.email)
    session = found["sessions"][-1]
    say(
        f"headwater timeline fs --email {person.email}: {found['events']} events in "
        f"{len(found['sessions'])} sessions; the latest ({session['session']}):"
    )
    shown = 0
    for page in session["pages"]:
        say(f"  {page['page']}", markup=False)
        for event in page["events"][: EVENTS_SHOWN - shown]:
            target_text = f" {event['target']!r}" if event.get("target") else ""
            say(f"    {event['time'][11:23]}  {event['type']}{target_text}", markup=False)
            shown += 1
        if shown >= EVENTS_SHOWN:
            break
    run.facts["sync"] = {"fs": target.display(), "person": person.email}


def _someone_active(world: Any, since: datetime) -> Any:
    """The first person (after those earlier steps use) with events in the synced days."""
    for index in range(FIRST_PERSON, world.users):
        if next(world.person_events_between(index, since, world.end), None) is not None:
            return world.person(index)
    return world.person(FIRST_PERSON)


def _ensure(connections: Connections, sandbox: Any) -> None:
    """Connections `fs` and `amp` to the demo sandbox, unless an earlier step made them."""
    creds = sandbox.credentials
    wanted = {
        "fs": ("fullstory", {"api_key": creds.fullstory_admin_key}, sandbox.fullstory_url),
        "amp": (
            "amplitude",
            {"api_key": creds.amplitude_api_key, "secret_key": creds.amplitude_secret_key},
            sandbox.amplitude_url,
        ),
    }
    for name, (kind, secrets, url) in wanted.items():
        try:
            connections.get(name)
        except NotFound:
            connections.create(kind, name, credentials=secrets, settings={"base_url": url}, actor="demo")
