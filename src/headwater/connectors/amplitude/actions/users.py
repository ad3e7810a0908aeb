"""Actions that look people up in Amplitude: search, activity (all pages) and current profile."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from headwater.actions.decorator import action
from headwater.actions.model import READ, ActionContext
from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.models import Profile, SearchMatch, UserData

EXACT_TYPES = ("match_amplitude_id", "match_user_or_device_id")


class SearchUsersInput(BaseModel):
    user: str = Field(min_length=1, description="An amplitude_id, user_id or device_id, or a user_id prefix")
    exact: bool = Field(default=False, description="Drop prefix matches (other people whose id starts so)")


class SearchUsersOutput(BaseModel):
    type: str = Field(description="match_amplitude_id, match_user_or_device_id, match_user_prefix or nomatch")
    matches: list[SearchMatch]
    count: int


@action(
    "search-users",
    title="Search users",
    effect=READ,
    keywords=("user", "search", "email", "user id", "device", "amplitude id", "who"),
)
def search_users(client: AmplitudeClient, data: SearchUsersInput, ctx: ActionContext) -> SearchUsersOutput:
    """Find Amplitude users by amplitude_id, user_id, device_id or user_id prefix."""
    result = client.lookup.search(data.user)
    matches = result.matches
    if data.exact and result.type not in EXACT_TYPES:
        matches = []
    if ctx.limit is not None:
        matches = matches[: ctx.limit]
    return SearchUsersOutput(type=result.type, matches=matches, count=len(matches))


class UserActivityInput(BaseModel):
    amplitude_id: int = Field(description="Amplitude's numeric id (from search-users), not the user_id")
    direction: Literal["latest", "earliest"] = Field(default="latest", description="Newest or oldest first")


class UserActivityOutput(BaseModel):
    user_data: UserData
    events: list[dict[str, Any]]
    count: int
    truncated: bool = Field(description="True when the action stopped at the limit before the last page")


@action(
    "get-user-activity",
    title="Get a user's activity",
    effect=READ,
    keywords=("user", "lookup", "events", "history", "timeline", "stream", "sessions", "what did"),
)
def user_activity(client: AmplitudeClient, data: UserActivityInput, ctx: ActionContext) -> UserActivityOutput:
    """Read a user's summary and every event they sent, newest first, across all pages."""
    user_data: UserData | None = None
    events: list[dict[str, Any]] = []
    for page in client.lookup.activity_pages(data.amplitude_id, direction=data.direction):
        user_data = user_data or page.userData
        events.extend(page.events)
        ctx.progress("Amplitude user activity", len(events), user_data.num_events)
        if ctx.limit is not None and len(events) >= ctx.limit:
            return UserActivityOutput(
                user_data=user_data, events=events[: ctx.limit], count=ctx.limit, truncated=True
            )
    return UserActivityOutput(
        user_data=user_data or UserData(), events=events, count=len(events), truncated=False
    )


class UserProfileInput(BaseModel):
    user_id: str | None = None
    device_id: str | None = None
    cohort_ids: bool = Field(default=False, description="Also list the cohorts synced to the profile API")

    @model_validator(mode="after")
    def _someone(self) -> UserProfileInput:
        if not self.user_id and not self.device_id:
            raise ValueError("give a user_id or a device_id")
        return self


@action(
    "get-user-profile",
    title="Get a user's profile",
    effect=READ,
    keywords=("user", "lookup", "properties", "attributes", "traits", "cohorts"),
)
def user_profile(client: AmplitudeClient, data: UserProfileInput, ctx: ActionContext) -> Profile:
    """Read a user's current properties (and cohorts) from the User Profile API (US only)."""
    return client.profile.get(user_id=data.user_id, device_id=data.device_id, cohort_ids=data.cohort_ids)
