"""Running one claimed job, the same way in both engines: heartbeat, task function, next state."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from headwater.jobs import claims, registry
from headwater.jobs.context import TaskContext
from headwater.jobs.models import DEAD, QUEUED, SUCCEEDED, JobRow
from headwater.jobs.outcomes import Interrupted, LeaseLost, backoff, classify, describe
from headwater.jobs.queue import JobQueue

log = logging.getLogger(__name__)
RECORD_TRIES = 5  # a transition that hits a dropped connection is retried this many times


class Heartbeat:
    """Extends the lease while the task runs, so only a dead worker's job is ever claimed again."""

    def __init__(self, queue: JobQueue, job_id: int, owner: str) -> None:
        self.queue, self.job_id, self.owner = queue, job_id, owner
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        lease = self.queue.job_settings.lease_seconds
        while not self._done.wait(lease / 3):
            try:
                if not claims.heartbeat(self.queue.db, self.job_id, self.owner, lease):
                    self.lost = True
                    log.warning("job %s: lease lost; another worker may have taken it over", self.job_id)
                    return
            except Exception as exc:
                log.warning("job %s: could not extend the lease: %s", self.job_id, describe(exc))


def execute(queue: JobQueue, job: JobRow, owner: str, stopping: threading.Event | None = None) -> str:
    """Run a job this worker has claimed and record how it ended; returns the status it was left in."""
    ctx = TaskContext(
        job_id=job.id,
        kind=job.kind,
        attempt=job.attempts,
        max_attempts=job.max_attempts,
        owner=owner,
        queue=queue,
        stopping=stopping or threading.Event(),
    )
    started = time.monotonic()
    try:
        spec = registry.get(job.kind)
        with Heartbeat(queue, job.id, owner):
            result = spec.fn(ctx, dict(job.payload))
    except Interrupted as exc:
        reason = describe(exc)
        _record(lambda: claims.release(queue.db, job.id, owner, reason))
        return QUEUED
    except LeaseLost as exc:
        log.warning("job %s: %s; leaving it to the worker that holds it", job.id, exc)
        return "lost"
    except registry.UnknownKind as exc:
        reason = str(exc)
        _record(lambda: claims.bury(queue.db, job.id, owner, reason))
        return DEAD
    except Exception as exc:
        return _failed(queue, job, owner, exc)
    except BaseException as exc:  # KeyboardInterrupt, SystemExit: hand the job back, then stop
        reason = describe(exc)
        _record(lambda: claims.release(queue.db, job.id, owner, reason))
        raise
    stored = result if isinstance(result, dict) else None
    _record(lambda: claims.complete(queue.db, job.id, owner, stored))
    log.info("job %s (%s) succeeded in %.2f s", job.id, job.kind, time.monotonic() - started)
    return SUCCEEDED


def _failed(queue: JobQueue, job: JobRow, owner: str, exc: Exception) -> str:
    outcome = classify(exc)
    settings = queue.job_settings
    if outcome.transient and (not outcome.counts or job.attempts < job.max_attempts):
        delay = outcome.delay
        if delay is None:
            delay = backoff(job.attempts, settings.backoff_seconds, settings.backoff_max_seconds)
        log.warning(
            "job %s (%s) attempt %d failed, retrying in %.1f s: %s",
            job.id,
            job.kind,
            job.attempts,
            delay,
            outcome.message,
        )
        _record(
            lambda: claims.retry_later(
                queue.db, job.id, owner, outcome.message, delay or 0.0, counts=outcome.counts
            )
        )
        return QUEUED
    if outcome.transient:
        message = f"Gave up after {job.attempts} attempts. Last error: {outcome.message}"
    else:
        message = outcome.message
    log.error("job %s (%s) is dead: %s", job.id, job.kind, message)
    _record(lambda: claims.bury(queue.db, job.id, owner, message))
    return DEAD


def _record(transition: Callable[[], Any]) -> None:
    """Write the job's next state, riding out a briefly dropped database connection.

    If it still cannot be written, the lease runs out and the job is run again: effects make that safe.
    """
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            if transition() is False:
                log.warning("a job's lease was lost before its outcome was recorded")
            return
        except Exception as exc:
            if attempt == RECORD_TRIES:
                log.error("could not record a job's outcome: %s", describe(exc))
                return
            time.sleep(min(5.0, 0.2 * 2**attempt))
