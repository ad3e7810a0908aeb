"""Actions that look people up in Amplitude: search, activity (all pages) and current profile."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from headwater.actions.model import Action, ActionContext
from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.models import Profile, SearchMatch, UserData

PROVIDER = "amplitude"
PERSON_WORDS = ("person", "people", "individual", "user", "customer", "lookup", "find")
EXACT_TYPES = ("match_amplitude_id", "match_user_or_device_id")


class SearchUsersInput(BaseModel):
    user: str = Field(min_length=1, description="An amplitude_id, user_id or device_id, or a user_id prefix")
    exact: bool = Field(default=False, description="Drop prefix matches (other people whose id starts so)")


class SearchUsersOutput(BaseModel):
    type: str = Field(description="match_amplitude_id, match_user_or_device_id, match_user_prefix or nomatch")
    matches: list[SearchMatch]
    count: int


def search_users(client: AmplitudeClient, data: SearchUsersInput, ctx: ActionContext) -> SearchUsersOutput:
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


def user_activity(client: AmplitudeClient, data: UserActivityInput, ctx: ActionContext) -> UserActivityOutput:
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


def user_profile(client: AmplitudeClient, data: UserProfileInput, ctx: ActionContext) -> Profile:
    return client.profile.get(user_id=data.user_id, device_id=data.device_id, cohort_ids=data.cohort_ids)


ACTIONS = [
    Action(
        key="search-users",
        provider=PROVIDER,
        title="Search users",
        description="Find Amplitude users by amplitude_id, user_id, device_id or user_id prefix.",
        input_model=SearchUsersInput,
        output_model=SearchUsersOutput,
        read_only=True,
        destructive=False,
        run=search_users,
        keywords=(*PERSON_WORDS, "search", "email", "user id", "device", "amplitude id", "who"),
    ),
    Action(
        key="get-user-activity",
        provider=PROVIDER,
        title="Get a user's activity",
        description="Read a user's summary and every event they sent, newest first, across all pages.",
        input_model=UserActivityInput,
        output_model=UserActivityOutput,
        read_only=True,
        destructive=False,
        run=user_activity,
        keywords=(*PERSON_WORDS, "events", "history", "timeline", "stream", "sessions", "what did"),
    ),
    Action(
        key="get-user-profile",
        provider=PROVIDER,
        title="Get a user's profile",
        description="Read a user's current properties (and cohorts) from the User Profile API (US only).",
        input_model=UserProfileInput,
        output_model=Profile,
        read_only=True,
        destructive=False,
        run=user_profile,
        keywords=(*PERSON_WORDS, "properties", "attributes", "traits", "cohorts", "profile"),
    ),
]
