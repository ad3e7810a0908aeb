"""The users FullStory knows: the World's people plus users created through the API, with deletions."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.world import Person, World

CREATED_ID_BASE = 13_000 * 10**12
WORLD_ID_MODULUS = 10**12


@dataclass
class UserRecord:
    """One FullStory user; mutable, guarded by the app state's lock."""

    id: str
    uid: str
    display_name: str
    email: str
    properties: dict[str, Any]
    created: datetime
    person_index: int | None = None
    declared_schema: dict[str, str] = field(default_factory=dict)
    deletion_requested: datetime | None = None
    delete_operation_id: str = ""
    purged: bool = False

    @property
    def being_deleted(self) -> bool:
        return self.deletion_requested is not None


class UserDirectory:
    """World people are viewed on demand and only stored once touched, so big worlds stay cheap."""

    def __init__(
        self, world: World, clock: SandboxClock, purge_after_seconds: float, flag_after_seconds: float = 0.0
    ) -> None:
        self.world = world
        self.clock = clock
        self.purge_after = timedelta(seconds=purge_after_seconds)
        self.flag_after = timedelta(seconds=flag_after_seconds)
        self._records: dict[str, UserRecord] = {}
        self._by_uid: dict[str, str] = {}
        self._created: list[str] = []
        self._counter = itertools.count(1)

    def get(self, user_id: str) -> UserRecord | None:
        record = self._records.get(user_id) or self._world_view(user_id)
        return None if record is None or self._is_purged(record) else record

    def by_uid(self, uid: str) -> UserRecord | None:
        if uid in self._by_uid:
            return self.get(self._by_uid[uid])
        person = self.world.find_by_uid(uid)
        return self.get(str(person.fs_user_id)) if person is not None else None

    def person_record(self, person: Person) -> UserRecord | None:
        return self.get(str(person.fs_user_id))

    def all(self) -> Iterator[UserRecord]:
        """Every visible user: the World's people in order, then created users oldest first."""
        for person in self.world.people():
            record = self.get(str(person.fs_user_id))
            if record is not None:
                yield record
        for user_id in self._created:
            record = self.get(user_id)
            if record is not None:
                yield record

    def by_email(self, email: str) -> list[UserRecord]:
        found: dict[str, UserRecord] = {}
        person = self.world.find_by_email(email)
        if person is not None:
            record = self.person_record(person)
            if record is not None and record.email == email:
                found[record.id] = record
        for record in list(self._records.values()):
            if record.email == email and not self._is_purged(record):
                found[record.id] = record
        return list(found.values())

    def create(self, uid: str = "") -> UserRecord:
        record = UserRecord(
            id=str(CREATED_ID_BASE + next(self._counter)),
            uid=uid,
            display_name="",
            email="",
            properties={},
            created=self.clock.now(),
        )
        self._records[record.id] = record
        self._created.append(record.id)
        if uid:
            self._by_uid[uid] = record.id
        return record

    def materialize(self, record: UserRecord) -> UserRecord:
        """Keep a World person's record so later changes stick."""
        stored = self._records.setdefault(record.id, record)
        if stored.uid:
            self._by_uid.setdefault(stored.uid, stored.id)
        return stored

    def set_uid(self, record: UserRecord, uid: str) -> None:
        record.uid = uid
        self._by_uid[uid] = record.id

    def request_delete(self, record: UserRecord, operation_id: str = "") -> UserRecord:
        stored = self.materialize(record)
        if stored.deletion_requested is None:
            stored.deletion_requested = self.clock.now()
        stored.delete_operation_id = stored.delete_operation_id or operation_id
        return stored

    def shows_deletion(self, record: UserRecord) -> bool:
        """Whether the user already reads ``is_being_deleted``; from the request on, unless ``flag_after``
        (strict mode) makes FullStory take a while to say so."""
        requested = record.deletion_requested
        return requested is not None and self.clock.now() >= requested + self.flag_after

    def purge(self, record: UserRecord) -> None:
        record.purged = True

    def hidden_user_ids(self) -> set[str]:
        return {r.id for r in self._records.values() if r.being_deleted}

    def _is_purged(self, record: UserRecord) -> bool:
        if record.purged:
            return True
        if (
            record.deletion_requested is not None
            and self.clock.now() >= record.deletion_requested + self.purge_after
        ):
            record.purged = True
        return record.purged

    def _world_view(self, user_id: str) -> UserRecord | None:
        if not user_id.isdigit():
            return None
        index = int(user_id) % WORLD_ID_MODULUS
        if index >= self.world.users:
            return None
        person = self.world.person(index)
        if str(person.fs_user_id) != user_id:
            return None
        return UserRecord(
            id=user_id,
            uid=person.uid,
            display_name=person.display_name,
            email=person.email,
            properties=dict(person.properties),
            created=person.created,
            person_index=index,
        )
