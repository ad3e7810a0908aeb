"""Actions on FullStory users (v2 Users API)."""

from __future__ import annotations

from itertools import islice
from typing import Any

from pydantic import BaseModel, Field, model_validator

from headwater.actions.decorator import action
from headwater.actions.model import DESTRUCTIVE, READ, WRITE, ActionContext
from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.models import User


class ListUsersInput(BaseModel):
    uid: str | None = Field(default=None, description="Your application's user id (exact)")
    email: str | None = Field(default=None, description="Email address (exact)")
    display_name: str | None = Field(default=None, description="Display name (exact)")
    is_identified: bool | None = Field(default=None, description="Only identified (or only anonymous) users")
    include_schema: bool = Field(default=False, description="Also return the inferred property types")


class ListUsersOutput(BaseModel):
    users: list[User]
    count: int
    truncated: bool = Field(description="True when the action stopped at the limit before the last page")


@action(
    "list-users",
    title="List users",
    effect=READ,
    keywords=("user", "search", "email", "uid", "identified", "anonymous"),
)
def list_users(client: FullStoryClient, data: ListUsersInput, ctx: ActionContext) -> ListUsersOutput:
    """Search FullStory users by uid, email or display name, following every page."""
    found = client.users.list(**data.model_dump())
    users = list(islice(found, ctx.limit)) if ctx.limit is not None else list(found)
    truncated = ctx.limit is not None and next(found, None) is not None
    return ListUsersOutput(users=users, count=len(users), truncated=truncated)


class GetUserInput(BaseModel):
    id: str = Field(description="FullStory's user id (the `id` from list-users)")
    include_schema: bool = False


@action("get-user", title="Get a user", effect=READ, keywords=("user", "properties", "details", "lookup"))
def get_user(client: FullStoryClient, data: GetUserInput, ctx: ActionContext) -> User:
    """Read one FullStory user with its properties."""
    return client.users.get(data.id, include_schema=data.include_schema)


class UserBody(BaseModel):
    display_name: str | None = Field(default=None, max_length=256)
    email: str | None = Field(default=None, max_length=128)
    properties: dict[str, Any] = Field(
        default_factory=dict, description="Custom properties; merged with existing ones, newest value wins"
    )

    def body(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"id", "idempotency_key"})


class CreateUserInput(UserBody):
    uid: str | None = Field(
        default=None,
        max_length=256,
        description="Your user id; an existing uid updates that user, none = anonymous",
    )
    idempotency_key: str | None = Field(default=None, description="Makes a retried request safe to repeat")


class UserIdOutput(BaseModel):
    id: str = Field(description="FullStory's user id")


@action(
    "create-user",
    title="Create or update a user",
    effect=WRITE,
    keywords=("user", "upsert", "identify", "properties"),
)
def create_user(client: FullStoryClient, data: CreateUserInput, ctx: ActionContext) -> UserIdOutput:
    """Create a FullStory user, or update the one with the same uid (upsert)."""
    return UserIdOutput(id=client.users.create(data.body(), idempotency_key=data.idempotency_key))


class UpdateUserInput(UserBody):
    id: str = Field(description="FullStory's user id")
    uid: str | None = Field(
        default=None, description="Set a uid on an anonymous user (it cannot change once set)"
    )


@action("update-user", title="Update a user", effect=WRITE, keywords=("user", "properties", "attributes"))
def update_user(client: FullStoryClient, data: UpdateUserInput, ctx: ActionContext) -> UserIdOutput:
    """Change a FullStory user's name, email or custom properties."""
    return UserIdOutput(id=client.users.update(data.id, data.body()))


class DeleteUserInput(BaseModel):
    id: str | None = Field(default=None, description="FullStory's user id")
    uid: str | None = Field(default=None, description="Or your application's user id")

    @model_validator(mode="after")
    def _one_of(self) -> DeleteUserInput:
        if bool(self.id) == bool(self.uid):
            raise ValueError("give exactly one of id or uid")
        return self


class DeleteUserOutput(BaseModel):
    deleting: str = Field(description="The id or uid whose deletion FullStory accepted")
    by: str = Field(description="'id' or 'uid'")
    note: str = "FullStory deletes in the background; the user reads as is_being_deleted until gone."


@action(
    "delete-user",
    title="Delete a user",
    effect=DESTRUCTIVE,
    keywords=("user", "ccpa", "privacy", "right to be forgotten"),
)
def delete_user(client: FullStoryClient, data: DeleteUserInput, ctx: ActionContext) -> DeleteUserOutput:
    """Delete a FullStory user and all their sessions and events, by id or uid."""
    if data.id:
        client.users.delete(data.id)
        return DeleteUserOutput(deleting=data.id, by="id")
    assert data.uid is not None
    client.users.delete_by_uid(data.uid)
    return DeleteUserOutput(deleting=data.uid, by="uid")
