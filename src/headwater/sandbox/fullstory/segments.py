"""Segments: a fixed catalogue (``everyone`` plus a few saved ones) and their list endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request

from headwater.sandbox.fullstory import wire
from headwater.sandbox.fullstory.auth import admin_key
from headwater.sandbox.fullstory.state import FullStoryState, get_state
from headwater.sandbox.fullstory.store import UserRecord

CREATOR = "analyst@shop.example.com"


@dataclass(frozen=True)
class Segment:
    id: str
    name: str
    matches: Callable[[UserRecord], bool]
    created_days_before_world: int | None = None

    def to_json(self, state: FullStoryState) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "creator": "" if self.created_days_before_world is None else CREATOR,
            "url": f"https://app.fullstory.com/ui/{state.org_id}/segments/{self.id}",
        }
        if self.created_days_before_world is not None:
            created = state.world.start - timedelta(days=self.created_days_before_world)
            body["created"] = wire.rfc3339(created)
        return body


SEGMENTS = (
    Segment("everyone", "Everyone", lambda record: True),
    Segment(
        "hw-enterprise-plan",
        "Enterprise plan customers",
        lambda record: record.properties.get("plan") == "enterprise",
        90,
    ),
    Segment(
        "hw-newsletter-signups",
        "Signed up from the newsletter",
        lambda record: record.properties.get("signup_source") == "newsletter",
        60,
    ),
    Segment("hw-identified", "Identified users", lambda record: bool(record.uid), 30),
)

router = APIRouter()


def find_segment(segment_id: str) -> Segment | None:
    return next((segment for segment in SEGMENTS if segment.id == segment_id), None)


@router.get("/segments/v1", dependencies=[Depends(admin_key)])
def list_segments(
    request: Request, creator: str | None = None, state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    limit = wire.limit_value(request.query_params.get("limit"), default=20, maximum=100)
    offset = wire.decode_token(wire.query_value(request, "paginationToken", "pagination_token"))
    items = [s.to_json(state) for s in SEGMENTS if not creator or s.to_json(state)["creator"] == creator]
    body: dict[str, Any] = {"segments": items[offset : offset + limit]}
    if offset + limit < len(items):
        body["nextPaginationToken"] = wire.encode_token(offset + limit)
    return body
