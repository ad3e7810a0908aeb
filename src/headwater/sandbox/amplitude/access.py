"""Data access requests (DSAR): asynchronous copies of one user's events, one gzipped NDJSON file per month.

The status is decided by the sandbox clock (staging, then submitted, then done); the files are cut the
first time a request is seen done, from the events up to its completion time, and then kept as they were,
like files written to storage.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from headwater.sandbox.amplitude.settings import AmplitudeSettings
from headwater.sandbox.amplitude.store import EventStore

FIRST_REQUEST_ID = 53_360


@dataclass
class DsarRequest:
    request_id: int
    user_id: str | None
    amplitude_id: int | None
    start_date: date
    end_date: date
    created: datetime
    outputs: list[bytes] | None = None

    def done_at(self, settings: AmplitudeSettings) -> datetime:
        return self.created + settings.dsar_done_after

    def expires(self, settings: AmplitudeSettings) -> datetime:
        return self.done_at(settings) + settings.dsar_expires_after

    def status(self, now: datetime, settings: AmplitudeSettings) -> str:
        if now < self.created + settings.dsar_submitted_after:
            return "staging"
        if now < self.done_at(settings):
            return "submitted"
        return "done"

    def as_json(self, now: datetime, settings: AmplitudeSettings, url_base: str) -> dict[str, Any]:
        status = self.status(now, settings)
        count = len(self.outputs or []) if status == "done" else 0
        return {
            "requestId": self.request_id,
            "userId": self.user_id,
            "amplitudeId": self.amplitude_id,
            "startDate": self.start_date.isoformat(),
            "endDate": self.end_date.isoformat(),
            "status": status,
            "urls": [f"{url_base}/api/2/dsar/requests/{self.request_id}/outputs/{n}" for n in range(count)],
            "expires": self.expires(settings).strftime("%Y-%m-%dT%H:%M:%S"),
        }


def _month_files(store: EventStore, request: DsarRequest, cutoff: datetime) -> list[bytes]:
    """One gzipped NDJSON file per calendar month that holds the user's events in the date range."""
    directory = store.directory
    if request.amplitude_id is not None:
        found = directory.by_amplitude_id(request.amplitude_id)
        records = [found] if found is not None else []
    else:
        records = directory.by_user_id(request.user_id or "")
    start = datetime.combine(request.start_date, time(), UTC)
    end = datetime.combine(request.end_date + timedelta(days=1), time(), UTC)
    months: dict[tuple[int, int], list[str]] = {}
    for record in records:
        for moment, row in store.user_rows(record, cutoff):
            if start <= moment < end:
                months.setdefault((moment.year, moment.month), []).append(json.dumps(row))
    return [gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0) for _, lines in sorted(months.items())]


class DsarBook:
    """The org's access requests, numbered from a realistic-looking id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[int, DsarRequest] = {}
        self._next_id = FIRST_REQUEST_ID

    def create(
        self, user_id: str | None, amplitude_id: int | None, start: date, end: date, now: datetime
    ) -> DsarRequest:
        with self._lock:
            request = DsarRequest(self._next_id, user_id, amplitude_id, start, end, now)
            self._requests[request.request_id] = request
            self._next_id += 1
            return request

    def get(
        self, request_id: int, store: EventStore, now: datetime, settings: AmplitudeSettings
    ) -> DsarRequest | None:
        """The request, with its files cut if it has just become done."""
        with self._lock:
            request = self._requests.get(request_id)
            if request is not None and request.outputs is None and request.status(now, settings) == "done":
                request.outputs = _month_files(store, request, request.done_at(settings))
            return request
