"""Deletion jobs and their lifecycle, which is a pure function of the job's day and the sandbox clock's day.

``staging`` while today < day - 3 (ids may still join or leave), ``submitted`` from day - 3, the scrub runs
on ``day`` (``active_scrub_done_date`` is set), and ``done`` from day + 5 once backups have expired.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

FREEZE_DAYS = 3
BACKUP_DAYS = 5


@dataclass
class JobEntry:
    amplitude_id: int
    requested_on_day: date
    requester: str | None
    user_id: str | None

    def as_json(self, *, with_user_id: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "amplitude_id": self.amplitude_id,
            "requested_on_day": self.requested_on_day.isoformat(),
            "requester": self.requester,
        }
        if with_user_id:
            body["user_id"] = self.user_id
        return body


@dataclass
class DeletionJob:
    day: date
    entries: dict[int, JobEntry] = field(default_factory=dict)
    scrubbed: bool = False

    def status(self, today: date) -> str:
        if today < self.day - timedelta(days=FREEZE_DAYS):
            return "staging"
        if today < self.day + timedelta(days=BACKUP_DAYS):
            return "submitted"
        return "done"

    def as_json(self, app_id: int, today: date, *, with_user_ids: bool = False) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "status": self.status(today),
            "app": str(app_id),
            "active_scrub_done_date": self.day.isoformat() if today >= self.day else None,
            "amplitude_ids": [entry.as_json(with_user_id=with_user_ids) for entry in self.entries.values()],
        }


class JobBook:
    """The project's deletion jobs keyed by day; ``settle`` runs every scrub whose day has come."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[date, DeletionJob] = {}

    def schedule(self, entries: list[JobEntry], today: date, delay_days: int) -> DeletionJob:
        """Join the latest staging job that still runs at least 3 days out, else open one at today + delay."""
        with self._lock:
            open_jobs = [
                job
                for job in self._jobs.values()
                if job.status(today) == "staging" and job.day >= today + timedelta(days=FREEZE_DAYS)
            ]
            if open_jobs:
                job = max(open_jobs, key=lambda candidate: candidate.day)
            else:
                day = today + timedelta(days=delay_days)
                job = self._jobs.setdefault(day, DeletionJob(day))
            for entry in entries:
                job.entries.setdefault(entry.amplitude_id, entry)
            return job

    def between(self, start: date, end: date) -> list[DeletionJob]:
        with self._lock:
            return sorted(
                (job for job in self._jobs.values() if start <= job.day <= end), key=lambda job: job.day
            )

    def remove(self, amplitude_id: int, day: date, today: date) -> JobEntry:
        """Take one id out of a staging job; ``LookupError`` names why that is not possible."""
        with self._lock:
            job = self._jobs.get(day)
            if job is None:
                raise LookupError(f"No deletion job scheduled for {day.isoformat()}")
            if job.status(today) != "staging":
                raise LookupError(
                    f"Deletion job for {day.isoformat()} is {job.status(today)} and can no longer change"
                )
            entry = job.entries.pop(amplitude_id, None)
            if entry is None:
                raise LookupError(f"Amplitude ID {amplitude_id} is not in the job for {day.isoformat()}")
            if not job.entries:
                del self._jobs[day]
            return entry

    def settle(self, today: date, scrub: Callable[[int], None]) -> None:
        """Run the scrub of every job whose day has arrived (once each)."""
        with self._lock:
            for job in self._jobs.values():
                if not job.scrubbed and today >= job.day:
                    for amplitude_id in job.entries:
                        scrub(amplitude_id)
                    job.scrubbed = True
