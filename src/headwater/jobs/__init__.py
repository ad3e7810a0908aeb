"""How work runs: durable job rows in the store, run in-process or by Celery workers.

The services' whole interface:

    queue = open_queue(db, settings)          # embedded, or Celery when HEADWATER_BROKER_URL is set
    queue.submit(SYNC_KIND, {"connection": "fs"}, dedupe_key="...")   # "sync.run"
    queue.enqueue(session, ...)               # the same, inside the caller's transaction

    @task(LANE_KIND)                          # "privacy.delete_batch": the same function in both modes
    def delete_batch(ctx: TaskContext, payload: dict) -> dict | None:
        ctx.once(key, call, verify=...)       # a destructive provider call, at most once per key

    every(POLL_KIND, 60, POLL_KIND)           # "privacy.poll" every minute, one ticker at a time

Raise `Retry` to try again later, `Defer` when it is too early (no attempt used). How a feature names
and registers its kinds: see `registry`.

The package has no import circle. Tasks see the queue through `context.JobSubmitter`; `dispatch.open_queue`
hands `JobQueue` its dispatcher, so `queue` never reaches Celery; Celery code is split into publishing
(`celery_publish`: the app and the dispatcher, needing only the broker and settings) and consuming
(`celery_app`: the task that runs job rows, the worker and its ticker). Nothing outside this package
imports Celery; inside it only `celery_publish`, `celery_app` and `celery_watch` do. Store helpers that
every feature uses (`utcnow`, `UtcDateTime`, `insert_ignoring_conflict`) live in `headwater.store`.
"""

from headwater.jobs.context import JobSubmitter, TaskContext
from headwater.jobs.dispatch import open_queue
from headwater.jobs.effects import EffectOutcome, EffectUncertain
from headwater.jobs.models import DEAD, QUEUED, RUNNING, SUCCEEDED, EffectRow, JobRow
from headwater.jobs.outcomes import Defer, Retry
from headwater.jobs.queue import JobQueue
from headwater.jobs.recurring import every, periodic
from headwater.jobs.registry import task
from headwater.jobs.settings import JobSettings, load_job_settings
from headwater.jobs.worker import EmbeddedWorker

__all__ = [
    "DEAD",
    "QUEUED",
    "RUNNING",
    "SUCCEEDED",
    "Defer",
    "EffectOutcome",
    "EffectRow",
    "EffectUncertain",
    "EmbeddedWorker",
    "JobQueue",
    "JobRow",
    "JobSettings",
    "JobSubmitter",
    "Retry",
    "TaskContext",
    "every",
    "load_job_settings",
    "open_queue",
    "periodic",
    "task",
]
