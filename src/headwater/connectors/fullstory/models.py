"""FullStory's response objects, typed where the API documents them and open to fields it adds later.

Field names are the wire names: v2 endpoints speak snake_case, v1-family endpoints (sessions, segments,
operations) lowerCamelCase, and int64 values arrive as strings, as FullStory sends them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    """A provider object: unknown fields are kept, so nothing the API sends is lost on the way out."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)


class User(Wire):
    id: str
    uid: str = ""
    display_name: str = ""
    email: str = ""
    is_being_deleted: bool = False
    properties: dict[str, Any] = Field(default_factory=dict)
    app_url: str | None = None
    type_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    type_conflicts: dict[str, Any] | None = None


class Session(Wire):
    userId: str
    sessionId: str
    createdTime: str = ""
    fsUrl: str = ""

    def full_id(self) -> str:
        """The `UserId:SessionId` form the v2 Sessions API takes."""
        return f"{self.userId}:{self.sessionId}"


class Segment(Wire):
    id: str
    name: str = ""
    creator: str = ""
    created: str | None = None
    url: str | None = None


OperationState = Literal["PENDING", "COMPLETED", "FAILED"]


class Operation(Wire):
    id: str
    type: str = ""
    state: str = "PENDING"
    details: dict[str, Any] | None = None
    results: dict[str, Any] | None = None
    errorDetails: str = ""
    createdAt: str = ""
    finishedAt: str = ""
    estimatePctComplete: int = 0
    step: str = ""


class ExportLocation(Wire):
    location: str
    expires: str = ""


class Bundle(Wire):
    """A legacy data-export bundle; its bounds are Unix seconds."""

    Id: int
    Start: int
    Stop: int


class BatchJob(Wire):
    id: str
    status: str = "PROCESSING"
    created: str = ""
    finished: str | None = None


class BatchStatus(Wire):
    job: BatchJob
    imports: int = 0
    errors: int = 0


class Annotation(Wire):
    text: str
    start_time: str = ""
    end_time: str = ""
    source: str = ""
