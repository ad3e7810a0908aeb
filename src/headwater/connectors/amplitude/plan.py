"""Batching a deletion and regrouping Amplitude's answers into one followable job per scheduled day.

A person goes in as their user_id when they have one (Amplitude then deletes every amplitude_id merged
into it), else as their amplitude_ids. Every person ends up in exactly one job: the day their ids were
scheduled for, or the `none` job when Amplitude scheduled nothing because it did not know the ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from headwater.connectors.amplitude.deletions import MAX_IDS
from headwater.connectors.amplitude.models import DeletionJob, DeletionResult
from headwater.connectors.base import Identity

NO_JOB = "none"
Batch = tuple[list[int], list[str]]


class DeletionPlan:
    def __init__(self, identities: Sequence[Identity]) -> None:
        self._units: list[tuple[str, Any]] = []
        self._owner: dict[tuple[str, Any], str] = {}
        self._known_ids: dict[str, set[int]] = {}  # user_id -> amplitude_ids resolve() saw
        for person in identities:
            amplitude_ids = [int(i) for i in person.attributes.get("amplitude_ids") or []]
            user_id = person.attributes.get("user_id", person.id)
            units = [("user", user_id)] if user_id else [("amplitude", i) for i in amplitude_ids]
            if user_id:
                self._known_ids.setdefault(user_id, set()).update(amplitude_ids)
            for unit in units:
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
        if result.nothing_scheduled is not None:
            self._add(NO_JOB, amplitude_ids, user_ids, message=result.nothing_scheduled)
            return
        placed_users: set[str] = set()
        placed_ids: set[int] = set()
        invalid = {str(i) for job in result.jobs for i in job.invalid_ids or []}
        for job in result.jobs:
            users, ids = self._ours(job, amplitude_ids, user_ids)
            if len(result.jobs) == 1:  # a job that does not echo user_ids still holds every valid one
                users |= {u for u in user_ids if u not in invalid}
                ids |= {i for i in amplitude_ids if str(i) not in invalid}
            if users or ids:
                self._add(job.day, sorted(ids), sorted(users), job=job)
                placed_users |= users
                placed_ids |= ids
        missing_users = [u for u in user_ids if u not in placed_users]
        missing_ids = [i for i in amplitude_ids if i not in placed_ids]
        if missing_users or missing_ids:
            self._add(NO_JOB, missing_ids, missing_users, message="Amplitude did not know these ids")

    def _ours(
        self, job: DeletionJob, amplitude_ids: list[int], user_ids: list[str]
    ) -> tuple[set[str], set[int]]:
        asked = set(amplitude_ids)
        users: set[str] = set()
        ids: set[int] = set()
        for entry in job.amplitude_ids:
            owner = entry.user_id if entry.user_id in user_ids else None
            if owner is None:
                owner = next((u for u in user_ids if entry.amplitude_id in self._known_ids.get(u, ())), None)
            if owner is not None:
                users.add(owner)
                ids.add(entry.amplitude_id)
            elif entry.amplitude_id in asked:
                ids.add(entry.amplitude_id)
        return users, ids

    def _add(
        self,
        day: str,
        amplitude_ids: Sequence[int],
        user_ids: Sequence[str],
        *,
        job: DeletionJob | None = None,
        message: str | None = None,
    ) -> None:
        detail = self._jobs.setdefault(
            day,
            {"day": None if day == NO_JOB else day, "amplitude_ids": [], "user_ids": [], "identities": []},
        )
        detail["amplitude_ids"] = sorted({*detail["amplitude_ids"], *amplitude_ids})
        detail["user_ids"] = sorted({*detail["user_ids"], *user_ids})
        owners = {self._owner.get(("user", u)) for u in user_ids}
        owners |= {self._owner.get(("amplitude", i)) for i in amplitude_ids}
        detail["identities"] = sorted({*detail["identities"], *(o for o in owners if o)})
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

    def jobs(self) -> dict[str, dict[str, Any]]:
        return dict(self._jobs)
