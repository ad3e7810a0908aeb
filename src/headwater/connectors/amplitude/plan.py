"""Batching a deletion and regrouping Amplitude's answers into one followable job per scheduled day.

A person goes in as their user_id when they have one (Amplitude then deletes every amplitude_id merged
into it), else as their amplitude_ids. Every person ends up in exactly one job: the day their ids were
scheduled for; the `none` job when Amplitude scheduled nothing because it did not know the ids (nothing
to delete, 0 records); or the failed `unknown` job when the ids were typed by a person (identify by
user id), because then an unknown id is a typo to correct, not an absent person.

Each job's detail says which identities it covers and, under `records`, how many amplitude_ids were
scheduled for each of them (the entries Amplitude echoes with their user_id).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from headwater.connectors.amplitude.deletions import MAX_IDS
from headwater.connectors.amplitude.models import DeletionJob, DeletionResult
from headwater.connectors.base import Identity

NO_JOB = "none"
UNKNOWN_JOB = "unknown"
#: an identity attribute: its ids were given by a person, so Amplitude must know them
MUST_EXIST = "must_exist"
Batch = tuple[list[int], list[str]]
Unit = tuple[str, Any]  # ("user", user_id) | ("amplitude", amplitude_id)


def _amplitude_ids(person: Identity) -> list[int]:
    return [int(i) for i in person.attributes.get("amplitude_ids") or []]


def units_of(person: Identity) -> list[Unit]:
    """The ids a deletion request names for a person: their user_id, else their amplitude_ids."""
    user_id = person.attributes.get("user_id", person.id)
    return [("user", user_id)] if user_id else [("amplitude", i) for i in _amplitude_ids(person)]


def parts(identities: Sequence[Identity]) -> list[list[Identity]]:
    """The people grouped, in order, into requests of at most `MAX_IDS` ids, nobody split across two (a
    person with more ids than that is a part of their own, which `delete()` sends in several requests)."""
    grouped: list[list[Identity]] = []
    named: set[Unit] = set()
    for person in identities:
        mine = set(units_of(person))
        if grouped and len(named | mine) <= MAX_IDS:
            grouped[-1].append(person)
            named |= mine
        else:
            grouped.append([person])
            named = mine
    return grouped


class DeletionPlan:
    def __init__(self, identities: Sequence[Identity]) -> None:
        self._units: list[Unit] = []
        self._owner: dict[Unit, str] = {}
        self._known_ids: dict[str, set[int]] = {}  # user_id -> amplitude_ids resolve() saw
        self._strict: set[str] = set()
        for person in identities:
            user_id = person.attributes.get("user_id", person.id)
            if user_id:
                self._known_ids.setdefault(user_id, set()).update(_amplitude_ids(person))
            if person.attributes.get(MUST_EXIST):
                self._strict.add(person.id)
            for unit in units_of(person):
                if unit not in self._owner:
                    self._units.append(unit)
                    self._owner[unit] = person.id
        self._jobs: dict[str, dict[str, Any]] = {}

    def batches(self) -> Iterator[Batch]:
        for start in range(0, len(self._units), MAX_IDS):
            chunk = self._units[start : start + MAX_IDS]
            yield [v for k, v in chunk if k == "amplitude"], [v for k, v in chunk if k == "user"]

    def record(self, amplitude_ids: list[int], user_ids: list[str], result: DeletionResult) -> None:
        """File the ids of one call under the job days Amplitude put them in."""
        asked: list[Unit] = [("amplitude", i) for i in amplitude_ids] + [("user", u) for u in user_ids]
        if result.nothing_scheduled is not None:
            self._unplaced(asked, result.nothing_scheduled)
            return
        invalid = {str(i) for job in result.jobs for i in job.invalid_ids or []}
        placed: set[Unit] = set()
        for job in result.jobs:
            owned = self._owned(job, amplitude_ids, user_ids)
            if len(result.jobs) == 1:  # a job that does not echo user_ids still holds every valid one
                for unit in asked:
                    if str(unit[1]) not in invalid:
                        owned.setdefault(unit, set())
            if owned:
                self._add(job.day, owned, job=job)
                placed |= set(owned)
        missing = [unit for unit in asked if unit not in placed]
        if missing:
            self._unplaced(missing, "Amplitude did not know these ids")

    def _owned(self, job: DeletionJob, amplitude_ids: list[int], user_ids: list[str]) -> dict[Unit, set[int]]:
        """The amplitude_ids of this job that belong to the ids we asked for, by the id asked for.

        A job lists every entry of its day, other requests' too, so only ours are taken.
        """
        asked = set(amplitude_ids)
        owned: dict[Unit, set[int]] = {}
        for entry in job.amplitude_ids:
            user = entry.user_id if entry.user_id in user_ids else None
            if user is None:
                user = next((u for u in user_ids if entry.amplitude_id in self._known_ids.get(u, ())), None)
            if user is not None:
                owned.setdefault(("user", user), set()).add(entry.amplitude_id)
            elif entry.amplitude_id in asked:
                owned.setdefault(("amplitude", entry.amplitude_id), set()).add(entry.amplitude_id)
        return owned

    def _unplaced(self, units: list[Unit], message: str) -> None:
        """Ids Amplitude scheduled nothing for: absent people, or typos when a person typed them."""
        strict = [u for u in units if self._owner.get(u) in self._strict]
        absent = [u for u in units if u not in strict]
        if absent:
            self._add(NO_JOB, {u: set() for u in absent}, message=message, counted=False)
        if strict:
            self._add(UNKNOWN_JOB, {u: set() for u in strict}, message=message, counted=False)

    def _add(
        self,
        day: str,
        owned: dict[Unit, set[int]],
        *,
        job: DeletionJob | None = None,
        message: str | None = None,
        counted: bool = True,
    ) -> None:
        detail = self._jobs.setdefault(
            day,
            {
                "day": None if day in (NO_JOB, UNKNOWN_JOB) else day,
                "amplitude_ids": [],
                "user_ids": [],
                "identities": [],
                "records": {},
            },
        )
        named = {i for ids in owned.values() for i in ids} | {v for k, v in owned if k == "amplitude"}
        detail["amplitude_ids"] = sorted({*detail["amplitude_ids"], *named})
        detail["user_ids"] = sorted({*detail["user_ids"], *(v for k, v in owned if k == "user")})
        records: dict[str, int] = detail["records"]
        for unit, ids in owned.items():
            owner = self._owner.get(unit)
            if owner is None:
                continue
            if owner not in detail["identities"]:
                detail["identities"] = sorted({*detail["identities"], owner})
            count = self._count(unit, ids) if counted else 0
            if count is not None:
                records[owner] = records.get(owner, 0) + count
        if job is not None:
            detail.update(
                provider_status=job.status,
                app=job.app,
                active_scrub_done_date=job.active_scrub_done_date,
            )
            if job.invalid_ids:
                detail["invalid_ids"] = job.invalid_ids
        if message is not None:
            detail["nothing_scheduled"] = message

    def _count(self, unit: Unit, ids: set[int]) -> int | None:
        """amplitude_ids scheduled for one requested id; None when Amplitude did not say which."""
        kind, value = unit
        if kind == "amplitude":
            return 1
        return len(ids) or len(self._known_ids.get(value, ())) or None

    def jobs(self) -> dict[str, dict[str, Any]]:
        return dict(self._jobs)
