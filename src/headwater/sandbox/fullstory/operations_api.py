"""``/operations/v1``: poll one operation (which moves it along) or list them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from headwater.sandbox.fullstory import errors, wire
from headwater.sandbox.fullstory.auth import admin_key
from headwater.sandbox.fullstory.state import FullStoryState, get_state

router = APIRouter(prefix="/operations/v1")


@router.get("", dependencies=[Depends(admin_key)])
def list_operations(
    request: Request,
    state: str | None = None,
    type: str | None = None,
    app: FullStoryState = Depends(get_state),
) -> dict[str, Any]:
    limit = wire.limit_value(request.query_params.get("limit"), default=100, maximum=100)
    offset = wire.decode_token(wire.query_value(request, "paginationToken", "pagination_token"))
    with app.lock:
        found = [
            op.to_json()
            for op in app.operations.all()
            if (not state or op.state == state) and (not type or op.type == type)
        ]
    body: dict[str, Any] = {"operations": found[offset : offset + limit]}
    if offset + limit < len(found):
        body["nextPaginationToken"] = wire.encode_token(offset + limit)
    return body


@router.get("/{operation_id}", dependencies=[Depends(admin_key)])
def get_operation(operation_id: str, app: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with app.lock:
        operation = app.operations.get(operation_id)
        if operation is None:
            raise errors.not_found("operation does not exist")
        operation.poll(app.clock.now())
        return operation.to_json()
