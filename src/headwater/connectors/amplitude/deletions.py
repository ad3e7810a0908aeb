"""User Privacy API v1: schedule deletions, list the jobs, and take an id back out of a staging job.

The POST answers, in practice, with an array of jobs; older answers were one job object, and when no id
was valid Amplitude says so under the key `" message"` (with a leading space). All three are accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from headwater.connectors.amplitude.models import DeletionEntry, DeletionJob, DeletionResult
from headwater.errors import BadInput
from headwater.http import HttpClient

PATH = "/api/2/deletions/users"
MAX_IDS = 100
MAX_RANGE = timedelta(days=183)


class DeletionsApi:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def request(
        self,
        *,
        amplitude_ids: Sequence[int] = (),
        user_ids: Sequence[str] = (),
        requester: str | None = None,
        ignore_invalid_id: bool = True,
        delete_from_org: bool = False,
        include_mapped_user_ids: bool = False,
    ) -> DeletionResult:
        """One call for at most 100 ids in all (the cap is unclear per list, so it is counted together)."""
        total = len(amplitude_ids) + len(user_ids)
        if not 0 < total <= MAX_IDS:
            raise BadInput(f"An Amplitude deletion request takes 1 to {MAX_IDS} ids; got {total}.")
        body: dict[str, Any] = {"ignore_invalid_id": _flag(ignore_invalid_id)}
        if amplitude_ids:
            body["amplitude_ids"] = [int(i) for i in amplitude_ids]
        if user_ids:
            body["user_ids"] = list(user_ids)
        if requester:
            body["requester"] = requester
        if delete_from_org:
            body["delete_from_org"] = _flag(True)
        if include_mapped_user_ids:
            body["include_mapped_user_ids"] = _flag(True)
        return parse_result(self._http.request("POST", PATH, json=body).json())

    def jobs(self, start_day: date, end_day: date) -> list[DeletionJob]:
        """Jobs whose run day lies in [start_day, end_day]; Amplitude allows six months at most."""
        if end_day < start_day or end_day - start_day > MAX_RANGE:
            raise BadInput("List deletion jobs over a range of 0 days to 6 months (start_day <= end_day).")
        params = {"start_day": start_day.isoformat(), "end_day": end_day.isoformat()}
        body = self._http.request("GET", PATH, params=params).json()
        return [DeletionJob.model_validate(job) for job in body or []]

    def remove(self, amplitude_id: int, day: date) -> DeletionEntry:
        """Take one amplitude_id out of a job that is still staging (up to 3 days before it runs)."""
        body = self._http.request("DELETE", f"{PATH}/{int(amplitude_id)}/{day.isoformat()}").json()
        if isinstance(body, dict) and "day" in body:  # older answers returned the whole job
            for entry in body.get("amplitude_ids") or []:
                if int(entry.get("amplitude_id", -1)) == int(amplitude_id):
                    return DeletionEntry.model_validate(entry)
            return DeletionEntry(amplitude_id=amplitude_id)
        return DeletionEntry.model_validate(body)


def parse_result(body: Any) -> DeletionResult:
    if isinstance(body, list):
        return DeletionResult(jobs=[DeletionJob.model_validate(job) for job in body])
    if isinstance(body, dict) and "day" in body:
        return DeletionResult(jobs=[DeletionJob.model_validate(body)])
    if isinstance(body, dict):
        message = body.get(" message") or body.get("message") or "Nothing scheduled"
        return DeletionResult(nothing_scheduled=str(message))
    return DeletionResult(nothing_scheduled=str(body))


def _flag(value: bool) -> str:
    """Amplitude's own examples and every known client send these booleans as strings."""
    return "true" if value else "false"
