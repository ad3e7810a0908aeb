"""v2 Users: create/upsert, list and search, get, update (POST), delete by id or uid."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from headwater.sandbox.fullstory import errors, userdata, wire
from headwater.sandbox.fullstory.auth import admin_key, any_key
from headwater.sandbox.fullstory.idempotency import once
from headwater.sandbox.fullstory.state import FullStoryState, get_state
from headwater.sandbox.fullstory.store import UserRecord

USERS_PAGE_SIZE = 100

router = APIRouter()


def user_not_found() -> errors.FullStoryError:
    return errors.FullStoryError(404, "user_not_found", "User with that ID does not exist")


@router.post("/users", dependencies=[Depends(any_key)])
def create_user(
    request: Request,
    body: dict[str, Any] = Depends(wire.json_body),
    state: FullStoryState = Depends(get_state),
) -> JSONResponse:
    return once(state, request, lambda: (200, {"id": userdata.upsert(state, body).id}))


@router.get("/users", dependencies=[Depends(admin_key)])
def list_users(
    uid: str | None = None,
    email: str | None = None,
    display_name: str | None = None,
    is_identified: bool | None = None,
    page_token: str | None = None,
    include_schema: bool = False,
    state: FullStoryState = Depends(get_state),
) -> dict[str, Any]:
    offset = wire.decode_token(page_token)
    with state.lock:
        matches = _matching(state, uid, email, display_name, is_identified)
        if not matches and state.options.strict:
            # FullStory's Users v2 spec lists 404 among GET /v2/users's answers (node SDK OpenAPI,
            # fullstory.v2.users; real-behaviour.md "Users v2"): strict mode answers it when nobody matches.
            raise errors.not_found()
        page = matches[offset : offset + USERS_PAGE_SIZE]
        body: dict[str, Any] = {
            "results": [userdata.user_json(state, record, include_schema) for record in page],
            "total_records": str(len(matches)),
            "app_url": f"https://app.fullstory.com/ui/{state.org_id}/segments/everyone/people/0",
        }
    if offset + USERS_PAGE_SIZE < len(matches):
        body["next_page_token"] = wire.encode_token(offset + USERS_PAGE_SIZE)
    return body


@router.get("/users/{user_id}", dependencies=[Depends(admin_key)])
def get_user(
    user_id: str, include_schema: bool = False, state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    with state.lock:
        record = state.users.get(user_id)
        if record is None:
            raise user_not_found()
        return userdata.user_json(state, record, include_schema)


@router.post("/users/{user_id}", dependencies=[Depends(any_key)])
def update_user(
    user_id: str, body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, str]:
    with state.lock:
        record = state.users.get(user_id)
        if record is None or record.being_deleted:
            raise user_not_found()
        return {"id": userdata.upsert(state, body, target=record).id}


@router.delete("/users/{user_id}", dependencies=[Depends(admin_key)])
def delete_user(user_id: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        record = state.users.get(user_id)
        if record is None:
            raise user_not_found()
        state.users.request_delete(record)
    return {}


@router.delete("/users", dependencies=[Depends(admin_key)])
def delete_user_by_uid(uid: str | None = None, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    if not uid:
        raise errors.required("uid")
    with state.lock:
        record = state.users.by_uid(uid)
        if record is None:
            raise user_not_found()
        state.users.request_delete(record)
    return {}


def _matching(
    state: FullStoryState,
    uid: str | None,
    email: str | None,
    display_name: str | None,
    identified: bool | None,
) -> list[UserRecord]:
    if uid:
        found = state.users.by_uid(uid)
        candidates = [found] if found is not None else []
    elif email:
        candidates = state.users.by_email(email)
    else:
        candidates = list(state.users.all())
    return [
        record
        for record in candidates
        if (not uid or record.uid == uid)
        and (not email or record.email == email)
        and (not display_name or record.display_name == display_name)
        and (identified is None or bool(record.uid) == identified)
    ]
