"""FullStory `list-sessions` with `created_after`/`created_before`: the number of sessions read and of
requests made follows the new sessions, not the person's history (the sessions API has no time filter
and no pages, but lists newest first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from headwater.actions.model import ActionContext
from headwater.connectors.base import ConnectionInfo
from headwater.connectors.fullstory import FullStoryClient, spec
from headwater.connectors.fullstory.actions.sessions import ListSessionsOutput
from headwater.http import CallRecord
from headwater.sandbox import SandboxClock, SandboxCredentials, SandboxOptions, World, create_fullstory_app
from headwater.sandbox.inprocess import InProcessTransport

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
ACTION = next(action for action in spec.actions() if action.key == "list-sessions")


@pytest.fixture(scope="module")
def worlds() -> Iterator[dict[str, tuple[World, FullStoryClient, list[CallRecord]]]]:
    made = {}
    transports = []
    for name, days, events in (("long", 400, 80_000), ("short", 5, 800)):
        world = World(seed=5, users=1, events_per_user=events, start=NOW - timedelta(days=days), end=NOW)
        app = create_fullstory_app(world, clock=SandboxClock(NOW), options=SandboxOptions(rate_limits=False))
        transport = InProcessTransport(app)
        transports.append(transport)
        calls: list[CallRecord] = []
        key = SecretStr(SandboxCredentials().fullstory_admin_key)
        client = FullStoryClient(key, transport=transport, observers=[calls.append])
        made[name] = (world, client, calls)
    yield made
    for transport in transports:
        transport.close()


def listed(client: FullStoryClient, world: World, **extra: object) -> ListSessionsOutput:
    data = ACTION.parse_input({"email": world.person(0).email, "limit": 1000, **extra})
    info = ConnectionInfo(name="fs", kind="fullstory")
    output = ACTION.run(client, data, ActionContext(info))
    assert isinstance(output, ListSessionsOutput)
    return output


def test_the_cost_of_a_day_of_sessions_does_not_grow_with_history(worlds: dict) -> None:
    reads = {}
    for name, (world, client, calls) in worlds.items():
        calls.clear()
        after = NOW - timedelta(days=1)
        output = listed(client, world, created_after=after.isoformat())
        truth = [s for s in world.sessions(0) if int(s.start.timestamp()) > after.timestamp()]
        assert output.count == len(truth) and output.complete
        reads[name] = [call.url for call in calls]
    assert len(worlds["long"][0].sessions(0)) > 4000
    assert reads["long"] == reads["short"] and len(reads["long"]) == 1  # one request of 50, either way
    assert all("limit=50" in url for urls in reads.values() for url in urls)


def test_the_window_widens_until_it_reaches_the_boundary(worlds: dict) -> None:
    world, client, calls = worlds["long"]
    calls.clear()
    after = NOW - timedelta(days=30)
    before = NOW - timedelta(days=1)
    output = listed(client, world, created_after=after.isoformat(), created_before=before.isoformat())
    truth = [
        s for s in world.sessions(0) if after.timestamp() < int(s.start.timestamp()) <= before.timestamp()
    ]
    assert output.count == len(truth) > 50
    assert [url.split("limit=")[1].split("&")[0] for url in (c.url for c in calls)] == ["50", "200", "800"]
    capped = listed(client, world, created_after=after.isoformat(), limit=100)
    assert (capped.complete, len(calls)) == (False, 5)
    assert listed(client, world).count == 1000  # without a range: the newest `limit`, as before
