"""Batch user and event imports: a job that processes, then pages out its imports and errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from headwater.sandbox.fullstory import errors, userdata, wire
from headwater.sandbox.fullstory.auth import any_key
from headwater.sandbox.fullstory.events import ingest_event
from headwater.sandbox.fullstory.idempotency import once
from headwater.sandbox.fullstory.state import BatchJob, FullStoryState, get_state

MAX_BATCH_ITEMS = 50_000
MAX_IN_PROGRESS = 200
RESULTS_PAGE_SIZE = 100

router = APIRouter()


@router.post("/users/batch", dependencies=[Depends(any_key)])
def create_user_batch(
    request: Request,
    body: dict[str, Any] = Depends(wire.json_body),
    state: FullStoryState = Depends(get_state),
) -> JSONResponse:
    return once(state, request, lambda: (200, {"job": _job_json(_start(state, "users", body))}))


@router.post("/events/batch", dependencies=[Depends(any_key)])
def create_event_batch(
    request: Request,
    body: dict[str, Any] = Depends(wire.json_body),
    state: FullStoryState = Depends(get_state),
) -> JSONResponse:
    return once(state, request, lambda: (200, {"job": _job_json(_start(state, "events", body))}))


@router.get("/{kind}/batch/{job_id}", dependencies=[Depends(any_key)])
def job_status(kind: str, job_id: str, state: FullStoryState = Depends(get_state)) -> dict[str, Any]:
    with state.lock:
        job = _polled(state, kind, job_id)
        body: dict[str, Any] = {"imports": len(job.imports), "job": _job_json(job)}
        if job.errors:
            body["errors"] = len(job.errors)
        return body


@router.get("/{kind}/batch/{job_id}/imports", dependencies=[Depends(any_key)], response_model=None)
def job_imports(
    kind: str,
    job_id: str,
    page_token: str | None = None,
    include_schema: bool = False,
    state: FullStoryState = Depends(get_state),
) -> dict[str, Any] | Response:
    with state.lock:
        job = _polled(state, kind, job_id)
        if job.status == "PROCESSING":
            return Response(status_code=202)
        items = job.imports
        if kind == "users":
            items = [_fresh_user(state, item, include_schema) for item in items]
        return _page(items, page_token)


@router.get("/{kind}/batch/{job_id}/errors", dependencies=[Depends(any_key)], response_model=None)
def job_errors(
    kind: str, job_id: str, page_token: str | None = None, state: FullStoryState = Depends(get_state)
) -> dict[str, Any] | Response:
    with state.lock:
        job = _polled(state, kind, job_id)
        if job.status == "PROCESSING":
            return Response(status_code=202)
        return _page(job.errors, page_token)


def _start(state: FullStoryState, kind: str, body: dict[str, Any]) -> BatchJob:
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise errors.required("requests")
    if len(requests) > MAX_BATCH_ITEMS:
        raise errors.invalid(f"a batch holds at most {MAX_BATCH_ITEMS} requests")
    if sum(job.status == "PROCESSING" for job in state.jobs.values()) >= MAX_IN_PROGRESS:
        raise errors.rate_limited(10)
    shared = body.get("shared") or {}
    job_id = f"hwjob{len(state.jobs) + 1:06d}{kind[0]}"
    job = BatchJob(
        job_id, kind, state.clock.now(), list(requests), shared if isinstance(shared, dict) else {}
    )
    state.jobs[job_id] = job
    return job


def _polled(state: FullStoryState, kind: str, job_id: str) -> BatchJob:
    job = state.jobs.get(job_id)
    if job is None or job.kind != kind:
        raise errors.not_found()
    job.polls += 1
    if job.status == "PROCESSING" and job.polls >= state.job_polls_needed:
        _run(state, job)
    return job


def _run(state: FullStoryState, job: BatchJob) -> None:
    for request in job.requests:
        try:
            if not isinstance(request, dict):
                raise errors.invalid("each request must be an object")
            if job.kind == "users":
                target = state.users.get(str(request["id"])) if request.get("id") else None
                job.imports.append({"id": userdata.upsert(state, request, target=target).id})
            else:
                event = ingest_event(state, request, job.shared)
                user = state.users.get(event.user_id)
                job.imports.append(
                    {
                        "user": {"id": event.user_id, "uid": user.uid if user else ""},
                        "session": {"id": f"{event.user_id}:{event.session_id}" if event.session_id else ""},
                        "context": event.context,
                        "name": event.name,
                        "timestamp": wire.rfc3339(event.time),
                        "properties": event.properties,
                    }
                )
        except errors.FullStoryError as failure:
            key = "user" if job.kind == "users" else "event"
            job.errors.append({"message": failure.message, "code": failure.code, key: request})
    job.requests = []
    job.status = "FAILED" if job.errors else "COMPLETED"
    job.finished = state.clock.now()


def _fresh_user(state: FullStoryState, item: dict[str, Any], include_schema: bool) -> dict[str, Any]:
    record = state.users.get(item["id"])
    return userdata.user_json(state, record, include_schema) if record else item


def _job_json(job: BatchJob) -> dict[str, Any]:
    body = {"id": job.id, "status": job.status, "created": wire.rfc3339(job.created)}
    if job.finished is not None:
        body["finished"] = wire.rfc3339(job.finished)
    return body


def _page(items: list[dict[str, Any]], page_token: str | None) -> dict[str, Any]:
    offset = wire.decode_token(page_token)
    body: dict[str, Any] = {
        "results": items[offset : offset + RESULTS_PAGE_SIZE],
        "total_records": str(len(items)),
    }
    if offset + RESULTS_PAGE_SIZE < len(items):
        body["next_page_token"] = wire.encode_token(offset + RESULTS_PAGE_SIZE)
    return body
