"""Amplitude's response objects, typed where the API documents them and open to fields it adds later.

Field names are the wire names: the Dashboard and Privacy APIs speak snake_case, DSAR camelCase.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    """A provider object: unknown fields are kept, so nothing the API sends is lost on the way out."""

    model_config = ConfigDict(extra="allow")


class SearchMatch(Wire):
    user_id: str | None = None
    amplitude_id: int
    last_device_id: str | None = None
    last_seen: str | None = None


class SearchResult(Wire):
    type: str = Field(description="match_amplitude_id, match_user_or_device_id, match_user_prefix or nomatch")
    matches: list[SearchMatch] = Field(default_factory=list)


class UserData(Wire):
    user_id: str | None = None
    canonical_amplitude_id: int | None = None
    merged_amplitude_ids: list[int] = Field(default_factory=list)
    num_events: int | None = None
    num_sessions: int | None = None
    first_used: str | None = None
    last_used: str | None = None
    device_ids: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)


class ActivityPage(Wire):
    userData: UserData = Field(default_factory=UserData)
    events: list[dict[str, Any]] = Field(default_factory=list)


class DeletionEntry(Wire):
    amplitude_id: int
    requested_on_day: str | None = None
    requester: str | None = None
    user_id: str | None = None


class DeletionJob(Wire):
    day: str = Field(description="The day the job runs (YYYY-MM-DD)")
    status: str = Field(description="staging, submitted or done")
    app: str | None = None
    active_scrub_done_date: str | None = None
    amplitude_ids: list[DeletionEntry] = Field(default_factory=list)
    invalid_ids: list[Any] | None = None


class DeletionResult(BaseModel):
    """What a deletion request scheduled: its jobs, or Amplitude's note that nothing was scheduled."""

    jobs: list[DeletionJob] = Field(default_factory=list)
    nothing_scheduled: str | None = Field(
        default=None, description="Amplitude's message when no id was valid"
    )


class DsarStatus(Wire):
    requestId: int
    userId: str | None = None
    amplitudeId: int | None = None
    startDate: str | None = None
    endDate: str | None = None
    status: str = Field(description="staging, submitted, done or failed")
    urls: list[str] = Field(default_factory=list)
    expires: str | None = None
    failReason: str | None = None


class Profile(Wire):
    user_id: str | None = None
    device_id: str | None = None
    amp_props: dict[str, Any] | None = None
    cohort_ids: list[Any] | None = None
    recommendations: Any = None


class IngestResult(Wire):
    code: int = 200
    events_ingested: int = 0
    payload_size_bytes: int = 0
    server_upload_time: int | None = None
