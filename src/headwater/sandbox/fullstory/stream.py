"""Event rows for a time window, merged in time order and generated lazily for flat memory.

Deleted users are left out; their state is read once when the stream starts, so a download that
began before a deletion finishes consistently.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from headwater.sandbox.fullstory import rows
from headwater.sandbox.fullstory.ingest import IngestedEvent
from headwater.sandbox.fullstory.state import FullStoryState
from headwater.sandbox.fullstory.store import UserRecord

UserFilter = Callable[[UserRecord], bool]


@dataclass(frozen=True)
class Window:
    """Half-open ``[start, end)`` on the event time."""

    start: datetime
    end: datetime


def event_rows(state: FullStoryState, window: Window, keep: UserFilter | None = None) -> Iterator[rows.Row]:
    """Every visible event row in the window, oldest first."""
    with state.lock:
        hidden_ids = state.users.hidden_user_ids()
        ingested = state.ingested.between(window.start, window.end, hidden_ids)
    streams: list[Iterator[tuple[datetime, int, rows.Row]]] = [
        _person_rows(state, index, window, keep) for index in range(state.world.users)
    ]
    streams.append(_ingested_rows(state, ingested, keep))
    for _, _, row in heapq.merge(*streams, key=_sort_key):
        yield row


def person_event_rows(state: FullStoryState, record: UserRecord, window: Window) -> Iterator[rows.Row]:
    """One user's rows (World activity plus API events), oldest first."""
    streams: list[Iterator[tuple[datetime, int, rows.Row]]] = []
    if record.person_index is not None:
        streams.append(_person_rows(state, record.person_index, window, None))
    with state.lock:
        mine = [e for e in state.ingested.for_user(record.id) if window.start <= e.time < window.end]
    streams.append(_ingested_rows(state, mine, None))
    for _, _, row in heapq.merge(*streams, key=_sort_key):
        yield row


def _person_rows(
    state: FullStoryState, index: int, window: Window, keep: UserFilter | None
) -> Iterator[tuple[datetime, int, rows.Row]]:
    user: dict[str, Any] | None = None
    for session in state.world.sessions(index):
        if session.end < window.start or session.start >= window.end:
            continue
        if user is None:
            with state.lock:
                record = state.users.person_record(state.world.person(index))
                if record is None or record.being_deleted or (keep is not None and not keep(record)):
                    return
                user = rows.user_columns(record)
        pages: dict[int, rows.Row] = {}
        for event in state.world.session_events(session):
            if window.start <= event.time < window.end:
                page = pages.get(event.page_id)
                if page is None:
                    page = pages[event.page_id] = rows.page_columns(event, session)
                yield event.time, 0, rows.world_row(event, session, user, page)


def _ingested_rows(
    state: FullStoryState, events: list[IngestedEvent], keep: UserFilter | None
) -> Iterator[tuple[datetime, int, rows.Row]]:
    users: dict[str, tuple[bool, rows.Row | None]] = {}
    for event in events:
        if event.user_id not in users:
            with state.lock:
                record = state.users.get(event.user_id) if event.user_id else None
            include = keep is None or (record is not None and keep(record))
            users[event.user_id] = (include, rows.user_columns(record) if record is not None else None)
        include, user = users[event.user_id]
        if include:
            yield event.time, 1, rows.ingested_row(event, user)


def _sort_key(item: tuple[datetime, int, rows.Row]) -> tuple[datetime, int]:
    return item[0], item[1]
