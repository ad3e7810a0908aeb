"""Long-running work (user deletion, segment export) as operations that finish after a few polls."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from headwater.sandbox.clock import SandboxClock

DELETE_USER = "DELETE_USER"
SEARCH_EXPORT = "SEARCH_EXPORT"
PENDING, COMPLETED, FAILED = "PENDING", "COMPLETED", "FAILED"


@dataclass
class Operation:
    id: str
    type: str
    created_at: datetime
    polls_needed: int
    details: dict[str, Any] | None = None
    state: str = PENDING
    polls: int = 0
    finished_at: datetime | None = None
    results: dict[str, Any] | None = None
    error_details: str = ""
    ready_at: datetime | None = None  # not done before this sandbox time, however often it is polled
    on_complete: Callable[[Operation], None] | None = field(default=None, repr=False)

    def poll(self, now: datetime) -> None:
        """A client looked at it: move it along, finishing once it has been polled enough."""
        if self.state != PENDING:
            return
        self.polls += 1
        if self.polls >= self.polls_needed and (self.ready_at is None or now >= self.ready_at):
            self.finish(now)

    def finish(self, now: datetime) -> None:
        self.state, self.finished_at = COMPLETED, now
        if self.on_complete is not None:
            self.on_complete(self)

    def percent(self) -> int:
        if self.state != PENDING:
            return 100
        return min(95, 100 * self.polls // max(1, self.polls_needed))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "details": self.details,
            "results": self.results,
            "state": self.state,
            "errorDetails": self.error_details,
            "createdAt": _rfc3339(self.created_at),
            "finishedAt": _rfc3339(self.finished_at) if self.finished_at else "",
            "estimatePctComplete": self.percent(),
            "step": "done" if self.state == COMPLETED else "processing",
        }


class OperationBook:
    """All operations of one app, oldest first; guarded by the app state's lock."""

    def __init__(self, clock: SandboxClock, polls_needed: int = 2) -> None:
        self.clock = clock
        self.polls_needed = polls_needed
        self._operations: dict[str, Operation] = {}
        self._counter = itertools.count(1)

    def start(
        self,
        kind: str,
        details: dict[str, Any] | None = None,
        on_complete: Callable[[Operation], None] | None = None,
    ) -> Operation:
        number = next(self._counter)
        token = base64.urlsafe_b64encode(f"hwsbx:{kind.lower()}:{number:012d}".encode()).decode()
        operation = Operation(
            token, kind, self.clock.now(), self.polls_needed, details, on_complete=on_complete
        )
        self._operations[operation.id] = operation
        return operation

    def get(self, operation_id: str) -> Operation | None:
        return self._operations.get(operation_id)

    def all(self) -> list[Operation]:
        return list(self._operations.values())


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
