"""The project's events: the World's generated ones plus ingested ones, minus whatever a deletion purged.

Only events that happened by the sandbox clock's ``now`` exist, so advancing the clock reveals more of
a World whose window reaches into the future. In strict mode export sees an event only hours after its
upload (see ``arrival``); lookups, activity and DSAR see it at once.
"""

from __future__ import annotations

import heapq
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from headwater.sandbox.amplitude import arrival
from headwater.sandbox.amplitude.directory import Directory, UserRecord
from headwater.sandbox.amplitude.seeded import SeededRows
from headwater.sandbox.amplitude.settings import AmplitudeSettings
from headwater.sandbox.world import Event, World

DEDUPE_WINDOW = timedelta(days=7)
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class StoredEvent:
    """An ingested event, kept as its finished export row."""

    amplitude_id: int
    upload: datetime
    event_time: datetime
    row: dict[str, Any]


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class EventStore:
    """Reads merge generated and ingested rows; writes only ever add ingested rows or purge users."""

    def __init__(self, world: World, settings: AmplitudeSettings) -> None:
        self.world = world
        self.settings = settings
        self.directory = Directory(world)
        self.seeded_rows = SeededRows()
        self._lock = threading.Lock()
        self._ingested: list[StoredEvent] = []
        self._insert_ids: dict[tuple[str, str], datetime] = {}

    def add(self, events: list[StoredEvent]) -> None:
        with self._lock:
            self._ingested.extend(events)

    def is_duplicate(self, device_id: str, insert_id: str, now: datetime) -> bool:
        """True when (device_id, insert_id) was seen in the last 7 days; otherwise remember it."""
        with self._lock:
            seen = self._insert_ids.get((device_id, insert_id))
            if seen is not None and now - seen < DEDUPE_WINDOW:
                return True
            self._insert_ids[(device_id, insert_id)] = now
            return False

    def _ingested_snapshot(self) -> list[StoredEvent]:
        with self._lock:
            return list(self._ingested)

    def user_rows(self, record: UserRecord, now: datetime) -> list[tuple[datetime, dict[str, Any]]]:
        """(event_time, row) of one user, oldest first."""
        rows: list[tuple[datetime, dict[str, Any]]] = []
        if record.person_index is not None:
            for event in self.world.events(record.person_index):
                if event.time <= now:
                    rows.append((event.time, self.seeded_rows.row(self.settings.app_id, record, event)[1]))
        rows.extend(
            (stored.event_time, stored.row)
            for stored in self._ingested_snapshot()
            if stored.amplitude_id == record.amplitude_id
        )
        rows.sort(key=lambda pair: pair[0])
        return rows

    def lines_uploaded(self, start: datetime, end: datetime, now: datetime) -> Iterator[tuple[datetime, str]]:
        """(upload hour, NDJSON line) for rows with start <= server_upload_time < end, in hour order."""
        generated = self._generated(start, min(end, now + TICK), now)
        delay = self.settings.export_delay
        ingested = sorted(
            (
                stored
                for stored in self._ingested_snapshot()
                if start <= stored.upload < end
                and (delay is None or arrival.on_time(_hour(stored.upload), delay) <= now)
            ),
            key=lambda stored: stored.upload,
        )
        extra = ((_hour(stored.upload), json.dumps(stored.row, separators=(",", ":"))) for stored in ingested)
        return heapq.merge(generated, extra, key=lambda pair: pair[0])

    def _generated(self, start: datetime, end: datetime, now: datetime) -> Iterator[tuple[datetime, str]]:
        delay = self.settings.export_delay
        if delay is not None:
            # a seeded event is uploaded within its own hour, so no later hour can be exportable yet
            end = min(end, _hour(now - delay))
        if end <= start:
            return
        seeded, app_id = self.directory.seeded, self.settings.app_id
        for event in self.world.events_between(start, end):
            if event.time > now or (delay is not None and self._arrives(event, delay) > now):
                continue
            record = seeded(event.person_index)
            if record is not None:
                yield self.seeded_rows.line(app_id, record, event)

    def _arrives(self, event: Event, delay: timedelta) -> datetime:
        """When a seeded event becomes exportable in strict mode (its upload hour is its own hour)."""
        return arrival.on_time(_hour(event.time), delay) + arrival.lateness(
            self.settings, self.world.seed, event
        )

    def events_held(self, now: datetime) -> int:
        """Every event the project holds as of ``now``, exportable yet or not: seeded events that have
        happened, of users not purged, plus every ingested one."""
        live = [index for index in range(self.world.users) if self.directory.seeded(index) is not None]
        seeded = sum(self.world.count_events_until(index, now, inclusive=True) for index in live)
        return seeded + len(self._ingested_snapshot())

    def last_seen(self, record: UserRecord, now: datetime) -> date:
        """The day of the user's latest event (or of their creation when they have none yet)."""
        latest = record.touched or record.created
        if record.person_index is not None:
            for event in self.world.events(record.person_index):
                if latest < event.time <= now:
                    latest = event.time
        return latest.date()

    def purge(self, amplitude_id: int) -> None:
        """Remove a user and every event of theirs, as a deletion job's scrub does."""
        self.directory.purge(amplitude_id)
        with self._lock:
            self._ingested = [stored for stored in self._ingested if stored.amplitude_id != amplitude_id]
