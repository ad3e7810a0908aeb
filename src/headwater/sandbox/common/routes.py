"""The ``/_sandbox`` control routes both emulators mount: the clock and the call log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common.calllog import CallLog
from headwater.sandbox.common.faults import DEFAULT_HOLD_SECONDS, MAX_HOLD_SECONDS, FaultInjector


class ForcedFault(BaseModel):
    kind: str
    count: int = Field(default=1, ge=1, le=100_000)
    hold_seconds: float = Field(default=DEFAULT_HOLD_SECONDS, gt=0, le=MAX_HOLD_SECONDS)


class ClockAdvance(BaseModel):
    advance_days: float = 0
    advance_seconds: float = 0


def sandbox_router(clock: SandboxClock, calllog: CallLog, faults: FaultInjector | None = None) -> APIRouter:
    """Routes for tests and demos; they need no API key and are never rate limited or faulted.

    With ``faults``, ``POST /_sandbox/faults {"kind": "drop", "count": 1}`` makes the next requests fail
    in a chosen way (the kinds are ``faults.KINDS``; ``timeout`` takes ``hold_seconds``), ``GET`` lists
    the forced faults still to come and ``DELETE`` drops them.
    """
    router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

    @router.get("/clock")
    def read_clock() -> dict[str, str]:
        return {"now": clock.now().isoformat()}

    @router.post("/clock")
    def advance_clock(body: ClockAdvance) -> dict[str, str]:
        return {"now": clock.advance(days=body.advance_days, seconds=body.advance_seconds).isoformat()}

    @router.get("/calls")
    def list_calls(path: str = "") -> dict[str, list[dict[str, Any]]]:
        return {"calls": calllog.calls(path)}

    @router.delete("/calls")
    def clear_calls() -> dict[str, bool]:
        calllog.clear()
        return {"cleared": True}

    if faults is not None:

        @router.post("/faults")
        def force_fault(body: ForcedFault) -> dict[str, Any]:
            try:
                faults.force(body.kind, body.count, hold_seconds=body.hold_seconds)
            except ValueError as error:
                raise HTTPException(400, str(error)) from None
            return {"kind": body.kind, "count": body.count}

        @router.get("/faults")
        def list_faults() -> dict[str, Any]:
            return {"rate": faults.rate, "pending": [fault.as_dict() for fault in faults.pending()]}

        @router.delete("/faults")
        def clear_faults() -> dict[str, int]:
            return {"cleared": faults.clear()}

    return router
