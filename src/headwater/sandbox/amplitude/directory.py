"""Who exists in the project: seeded people plus users made by ingestion, indexed as Amplitude looks up.

Amplitude identifies a user by a numeric amplitude_id; a user_id may stand for several amplitude_ids
(merged anonymous devices), a device_id points at one. After a purge the ids are forgotten, so new
events for the same user_id make a brand-new amplitude_id, as the real service does.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from headwater.sandbox.world import World


@dataclass
class UserRecord:
    """One Amplitude user; ``person_index`` links a seeded user to the World's person."""

    amplitude_id: int
    user_id: str | None
    device_ids: list[str]
    properties: dict[str, Any]
    created: datetime
    person_index: int | None = None
    seed_properties: dict[str, Any] = field(default_factory=dict)  # as the seeded events saw them
    touched: datetime | None = None  # last ingest or identify, for users without seeded events

    @property
    def last_device_id(self) -> str | None:
        return self.device_ids[-1] if self.device_ids else None


class Directory:
    """Indexes by amplitude_id, user_id (exact and prefix) and device_id; built lazily from the World."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._lock = threading.RLock()
        self._loaded = False
        self._by_amp: dict[int, UserRecord] = {}
        self._by_user: dict[str, list[int]] = {}
        self._by_device: dict[str, int] = {}
        self._by_person: dict[int, UserRecord] = {}
        self._sorted_user_ids: list[str] = []
        self._next_id = 1

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for person in self._world.people():
                record = UserRecord(
                    amplitude_id=person.amplitude_id,
                    user_id=person.amplitude_user_id,
                    device_ids=[person.device_id],
                    properties=dict(person.properties),
                    created=person.created,
                    person_index=person.index,
                    seed_properties=dict(person.properties),
                )
                self._add(record)
            self._next_id = max(self._by_amp, default=0) + 1000
            self._loaded = True

    def _add(self, record: UserRecord) -> None:
        self._by_amp[record.amplitude_id] = record
        if record.person_index is not None:
            self._by_person[record.person_index] = record
        for device in record.device_ids:
            self._by_device[device] = record.amplitude_id
        if record.user_id is not None:
            self._link_user_id(record, record.user_id)

    def _link_user_id(self, record: UserRecord, user_id: str) -> None:
        record.user_id = user_id
        ids = self._by_user.setdefault(user_id, [])
        if not ids:
            bisect.insort(self._sorted_user_ids, user_id)
        if record.amplitude_id not in ids:
            ids.append(record.amplitude_id)

    def by_amplitude_id(self, amplitude_id: int) -> UserRecord | None:
        self._load()
        with self._lock:
            return self._by_amp.get(amplitude_id)

    def by_user_id(self, user_id: str) -> list[UserRecord]:
        self._load()
        with self._lock:
            return [self._by_amp[i] for i in self._by_user.get(user_id, [])]

    def by_device_id(self, device_id: str) -> UserRecord | None:
        self._load()
        with self._lock:
            amplitude_id = self._by_device.get(device_id)
            return self._by_amp.get(amplitude_id) if amplitude_id is not None else None

    def by_user_prefix(self, prefix: str) -> list[UserRecord]:
        """Every user whose user_id starts with ``prefix`` (case-sensitive), in user_id order."""
        self._load()
        with self._lock:
            start = bisect.bisect_left(self._sorted_user_ids, prefix)
            found: list[UserRecord] = []
            for user_id in self._sorted_user_ids[start:]:
                if not user_id.startswith(prefix):
                    break
                found.extend(self._by_amp[i] for i in self._by_user[user_id])
            return found

    def resolve(self, user_id: str | None, device_id: str | None, now: datetime) -> UserRecord:
        """The user an incoming event or identify belongs to: user_id first, then device_id, else a new one.

        A known device whose user has no user_id yet is merged under the new user_id; a device whose user
        has a *different* user_id does not carry over (a changed user_id is a new user).
        """
        self._load()
        with self._lock:
            record = self._resolve_known(user_id, device_id)
            if record is None:
                record = UserRecord(self._next_id, None, [], {}, created=now)
                self._next_id += 1
                self._add(record)
                if user_id is not None:
                    self._link_user_id(record, user_id)
            if device_id is not None and device_id not in record.device_ids:
                record.device_ids.append(device_id)
            if device_id is not None:
                self._by_device[device_id] = record.amplitude_id
            record.touched = now
            return record

    def _resolve_known(self, user_id: str | None, device_id: str | None) -> UserRecord | None:
        by_device = self._by_amp.get(self._by_device.get(device_id, -1)) if device_id else None
        if user_id is None:
            return by_device
        ids = self._by_user.get(user_id)
        if ids:
            canonical = self._by_amp[ids[0]]
            if by_device is not None and by_device.user_id is None:
                self._link_user_id(by_device, user_id)
            return canonical
        if by_device is not None and by_device.user_id is None:
            self._link_user_id(by_device, user_id)
            return by_device
        return None

    def merged_ids(self, record: UserRecord) -> list[int]:
        """The other amplitude_ids that share this user's user_id."""
        if record.user_id is None:
            return []
        with self._lock:
            return [i for i in self._by_user.get(record.user_id, []) if i != record.amplitude_id]

    def purge(self, amplitude_id: int) -> UserRecord | None:
        """Forget a user entirely; a seeded person's generated activity is hidden from then on."""
        self._load()
        with self._lock:
            record = self._by_amp.pop(amplitude_id, None)
            if record is None:
                return None
            for device in record.device_ids:
                if self._by_device.get(device) == amplitude_id:
                    del self._by_device[device]
            if record.user_id is not None:
                ids = self._by_user.get(record.user_id, [])
                if amplitude_id in ids:
                    ids.remove(amplitude_id)
                if not ids:
                    self._by_user.pop(record.user_id, None)
                    index = bisect.bisect_left(self._sorted_user_ids, record.user_id)
                    if index < len(self._sorted_user_ids) and self._sorted_user_ids[index] == record.user_id:
                        del self._sorted_user_ids[index]
            if record.person_index is not None:
                self._by_person.pop(record.person_index, None)
            return record

    def seeded(self, person_index: int) -> UserRecord | None:
        """The live record of a seeded person, or None once purged."""
        self._load()
        return self._by_person.get(person_index)
