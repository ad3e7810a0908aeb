"""How many events the FullStory emulator holds as of its clock: what a complete export would return."""

from __future__ import annotations

from datetime import UTC, datetime

from headwater.sandbox.fullstory.state import FullStoryState

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def events_held(state: FullStoryState) -> int:
    """The World's events that happened before now plus events sent through the API, leaving out the
    users that are being (or were) deleted, as the export streams do."""
    now = state.clock.now()
    world = state.world
    with state.lock:
        hidden = state.users.hidden_user_ids()
        live = []
        for person in world.people():
            record = state.users.person_record(person)
            if record is not None and not record.being_deleted:
                live.append(person.index)
        ingested = len(state.ingested.between(EPOCH, now, hidden))
    return ingested + sum(world.count_events_until(index, now, inclusive=False) for index in live)
