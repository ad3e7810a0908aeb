"""Legacy Data Export (deprecated but still used): bundle list, gzip bundle download, per-user exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse

from headwater.sandbox.fullstory import bundles, encoding, errors, wire
from headwater.sandbox.fullstory.auth import admin_key, admin_key_limited
from headwater.sandbox.fullstory.state import LEGACY_DOWNLOAD_BUCKET, FullStoryState, get_state
from headwater.sandbox.fullstory.store import UserRecord
from headwater.sandbox.fullstory.stream import Window, event_rows, person_event_rows

router = APIRouter(prefix="/api/v1/export")


def data_export_pack(state: FullStoryState = Depends(get_state)) -> None:
    """The bundle endpoints need the Data Export Pack add-on, which the ``business`` plan lacks.

    The legacy Data Export is deprecated and sold as an add-on (developer.fullstory.com server/v1/exports;
    FullStory help article 360020624194); an org without it answers with an error or lists nothing
    (shared/api/real-behaviour.md, "Legacy Data Export"). Of those we answer 404, the answer hauser issue
    #38 shows for an account that cannot see export bundles (shared/api/fullstory.md, "Plan gating"): a
    client must then replicate through Segment Export.
    """
    if not state.options.legacy_data_export:
        raise errors.not_found()


BUNDLES = [Depends(admin_key), Depends(data_export_pack)]


@router.get("/list", dependencies=BUNDLES)
def list_bundles(start: str = "0", state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    return {"exports": [item.to_json() for item in bundles.list_after(state, _unix(start))]}


@router.post("/list", dependencies=BUNDLES)
def list_bundles_by_body(
    body: dict[str, Any] = Depends(wire.json_body), state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    return {
        "exports": [item.to_json() for item in bundles.list_after(state, _unix(str(body.get("start", 0))))]
    }


@router.get(
    "/get", dependencies=[Depends(admin_key_limited(LEGACY_DOWNLOAD_BUCKET)), Depends(data_export_pack)]
)
def get_bundle(id: str = "", state: FullStoryState = Depends(get_state)) -> StreamingResponse:
    if not id:
        raise errors.required("id")
    found = bundles.find(state, int(id)) if id.isdigit() else None
    if found is None:
        raise errors.not_found("export bundle does not exist")
    body = encoding.gzipped(encoding.json_array(event_rows(state, found.window())))
    return StreamingResponse(
        body,
        media_type="application/gzip",
        headers={"Content-Disposition": 'attachment; filename="DataExport.json.gz"'},
    )


@router.get("/userEvents", dependencies=[Depends(admin_key)])
def user_events(uid: str = "", state: FullStoryState = Depends(get_state)) -> StreamingResponse:
    record = _identified(state, uid)
    rows = person_event_rows(state, record, _everything(state))
    return StreamingResponse(
        encoding.json_array(rows),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="DataExport.json"'},
    )


@router.get("/userPages", dependencies=[Depends(admin_key)])
def user_pages(uid: str = "", state: FullStoryState = Depends(get_state)) -> Response:
    """Pairs of lines per page: the page's metadata, then the raw page object with its events."""
    record = _identified(state, uid)
    return Response(
        "".join(_page_pairs(person_event_rows(state, record, _everything(state)))),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="UserPagesExport.json"'},
    )


def _page_pairs(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    pages: dict[Any, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for row in rows:
        key = row.get("PageId", ("api", row.get("SessionId")))
        if key not in pages:
            meta_keys = (
                "PageId",
                "SessionId",
                "UserId",
                "PageStart",
                "PageDuration",
                "PageUrl",
                "PageRefererUrl",
            )
            pages[key] = ({k: row[k] for k in meta_keys if k in row}, [])
        event = {"Type": row["EventType"], "Time": row["EventStart"]}
        for source, target in (("EventTargetText", "TargetText"), ("EventCustomName", "CustomName")):
            if source in row:
                event[target] = row[source]
        pages[key][1].append(event)
    for meta, events in pages.values():
        yield json.dumps(meta) + "\n"
        yield json.dumps({"Url": meta.get("PageUrl", ""), "Events": events}) + "\n"


def _identified(state: FullStoryState, uid: str) -> UserRecord:
    if not uid:
        raise errors.required("uid")
    with state.lock:
        record = state.users.by_uid(uid)
    if record is None or record.being_deleted:
        raise errors.FullStoryError(404, "user_not_found", "User with that ID does not exist")
    return record


def _everything(state: FullStoryState) -> Window:
    return Window(datetime(1970, 1, 1, tzinfo=UTC), state.clock.now())


def _unix(value: str) -> int:
    try:
        return int(float(value))
    except ValueError:
        raise errors.invalid("start must be a Unix time in seconds") from None
