"""What a task function receives besides its payload: where it runs and the means to act safely.

A task sees the queue only through `JobSubmitter`: its store and settings, and submitting follow-up jobs.
That keeps the task side of the package below `queue.py`, whose `JobQueue` satisfies the protocol.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from headwater.jobs import effects
from headwater.jobs.outcomes import Interrupted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from headwater.config import Settings
    from headwater.jobs.models import JobRow
    from headwater.jobs.settings import JobSettings
    from headwater.store import Database


class JobSubmitter(Protocol):
    """The part of the job queue a running task uses (`JobQueue` is the one implementation)."""

    @property
    def db(self) -> Database: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def job_settings(self) -> JobSettings: ...

    def submit(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        run_at: datetime | None = None,
        dedupe_key: str | None = None,
        max_attempts: int | None = None,
    ) -> JobRow:
        """Create a job in its own transaction."""
        ...

    def enqueue(
        self,
        session: Session,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        run_at: datetime | None = None,
        dedupe_key: str | None = None,
        max_attempts: int | None = None,
    ) -> JobRow:
        """Add a job to the caller's transaction; it is dispatched once that transaction commits."""
        ...


@dataclass
class TaskContext:
    job_id: int
    kind: str
    attempt: int  # 1 on the first run
    max_attempts: int
    owner: str  # the worker holding the lease
    queue: JobSubmitter
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def db(self) -> Database:
        return self.queue.db

    @property
    def settings(self) -> Settings:
        return self.queue.settings

    @property
    def log(self) -> logging.LoggerAdapter[logging.Logger]:
        return logging.LoggerAdapter(logging.getLogger(f"headwater.jobs.{self.kind}"), {"job": self.job_id})

    def submit(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        run_at: datetime | None = None,
        dedupe_key: str | None = None,
    ) -> JobRow:
        """A follow-up job; give it a `dedupe_key` so that a re-run of this job does not submit it twice."""
        return self.queue.submit(kind, payload, run_at=run_at, dedupe_key=dedupe_key)

    def once(
        self,
        key: str,
        call: Callable[[], effects.Result | None],
        *,
        verify: Callable[[], effects.Result | None] | None = None,
        intent: effects.Result | None = None,
    ) -> effects.EffectOutcome:
        """A destructive call, at most once per key, fenced by this job's lease (see `effects`)."""
        fence = effects.Fence(self.job_id, self.owner)
        return effects.once(self.db, key, call, verify=verify, intent=intent, fence=fence)

    def check_stop(self) -> None:
        """Long tasks call this between steps: when the worker is stopping, the job is handed back."""
        if self.stopping.is_set():
            raise Interrupted("the worker is stopping")
