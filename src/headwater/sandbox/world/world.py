"""The World: the same deterministic people and activity behind both emulators."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import ClassVar

from faker import Faker

from headwater.sandbox.world import activity, people, pii
from headwater.sandbox.world.model import Event, Person, Session


class World:
    """People, sessions and events as pure functions of (seed, index, ...).

    Nothing large is kept in memory: any person or any window of events is regenerated on demand, so a
    million-event export streams with flat memory. ``end`` may lie in the future; emulators only serve
    events up to their clock's ``now()``.
    """

    PLANTED_PII: ClassVar[dict[str, frozenset[str]]] = pii.PLANTED_PII

    def __init__(
        self,
        *,
        seed: int = 1,
        users: int = 50,
        events_per_user: int = 200,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        if users < 0 or events_per_user < 0:
            raise ValueError("users and events_per_user must not be negative")
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.seed = seed
        self.users = users
        self.events_per_user = events_per_user
        self.end = _utc(end) if end is not None else today
        self.start = _utc(start) if start is not None else self.end - timedelta(days=28)
        if self.start >= self.end:
            raise ValueError("the world's start must come before its end")
        self._fakers = threading.local()
        self._email_index: dict[str, int] | None = None
        self._index_lock = threading.Lock()
        self._cached_person = lru_cache(maxsize=16_384)(self._build_person)
        self._cached_sessions = lru_cache(maxsize=16_384)(self._build_sessions)

    def person(self, index: int) -> Person:
        if not 0 <= index < self.users:
            raise IndexError(f"no person {index} in a world of {self.users}")
        return self._cached_person(index)

    def people(self) -> Iterator[Person]:
        for index in range(self.users):
            yield self.person(index)

    def find_by_uid(self, uid: str) -> Person | None:
        index = people.index_from_uid(uid)
        return self.person(index) if index is not None and index < self.users else None

    def find_by_email(self, email: str) -> Person | None:
        if self._email_index is None:
            with self._index_lock:
                if self._email_index is None:
                    self._email_index = {person.email: person.index for person in self.people()}
        index = self._email_index.get(email)
        return self.person(index) if index is not None else None

    def sessions(self, index: int) -> list[Session]:
        self.person(index)
        return list(self._cached_sessions(index))

    def session(self, index: int, session_id: int) -> Session | None:
        return next((s for s in self._cached_sessions(index) if s.session_id == session_id), None)

    def session_events(self, session: Session) -> list[Event]:
        return activity.build_session_events(self.seed, self.person(session.person_index), session)

    def events(self, index: int) -> Iterator[Event]:
        for session in self.sessions(index):
            yield from self.session_events(session)

    def person_events_between(self, index: int, start: datetime, end: datetime) -> Iterator[Event]:
        """One person's events with ``start <= time < end``, regenerating only overlapping sessions."""
        for session in self._cached_sessions(index):
            if session.end < start or session.start >= end:
                continue
            for event in self.session_events(session):
                if start <= event.time < end:
                    yield event

    def count_events_until(self, index: int, moment: datetime, *, inclusive: bool) -> int:
        """How many of one person's events happened before ``moment`` (or at it, when ``inclusive``).

        Sessions that ended earlier count whole, from their ``event_count``; only a session under way at
        ``moment`` is regenerated, so counting a big world stays cheap.
        """
        total = 0
        for session in self._cached_sessions(index):
            if session.start > moment:
                break
            if session.end < moment:
                total += session.event_count
                continue
            total += sum(
                1
                for event in self.session_events(session)
                if event.time < moment or (inclusive and event.time == moment)
            )
        return total

    def events_between(self, start: datetime, end: datetime) -> Iterator[Event]:
        """Everyone's events in ``[start, end)``, globally time-ordered and streamed."""
        streams = [self.person_events_between(index, start, end) for index in range(self.users)]
        return heapq.merge(*streams, key=_event_time)

    def _build_person(self, index: int) -> Person:
        return people.build_person(self.seed, index, self._faker(), self.start)

    def _build_sessions(self, index: int) -> tuple[Session, ...]:
        built = activity.build_sessions(self.seed, index, self.events_per_user, self.start, self.end)
        return tuple(built)

    def _faker(self) -> Faker:
        faker = getattr(self._fakers, "faker", None)
        if faker is None:
            faker = Faker("en_US")
            self._fakers.faker = faker
        return faker


def _event_time(event: Event) -> datetime:
    return event.time


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
