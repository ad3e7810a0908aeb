"""`/healthz` (the process answers) and `/readyz` (it can work: the store is reachable and migrated,
and in scale-out mode the broker answers). Both are open: load balancers do not log in.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from headwater.errors import HeadwaterError
from headwater.jobs.broker import broker_url, check_broker
from headwater.store.health import store_status
from headwater.web.schemas.common import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Not ready; `checks` says why"}},
    summary="The store (and in scale-out mode the broker) can be used",
)
def readyz(request: Request) -> JSONResponse:
    services = request.app.state.services
    checks = {"store": store_status(services.db)}
    url = broker_url(services.settings)
    if url is not None:
        try:
            check_broker(url, timeout=services.queue.job_settings.broker_timeout_seconds)
            checks["broker"] = "ok"
        except HeadwaterError as exc:
            checks["broker"] = exc.message
    ready = all(value == "ok" for value in checks.values())
    body = Health(status="ok" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
