"""How work runs: durable job rows in the store, run in-process or by Celery workers.

The services' whole interface:

    queue = JobQueue.open(settings, db)       # embedded, or Celery when HEADWATER_BROKER_URL is set
    queue.submit("privacy.delete", {"ticket": 7}, dedupe_key="ticket:7:delete")
    queue.enqueue(session, ...)               # the same, inside the caller's transaction

    @task("privacy.delete")                   # the code of a kind; the same function in both modes
    def delete(ctx: TaskContext, payload: dict) -> dict | None:
        ctx.once(key, call, verify=...)       # a destructive provider call, at most once per key

    every("privacy.poll", 600, "privacy.poll_provider_jobs")   # periodic work, one ticker at a time

Raise `Retry` to try again later, `Defer` when it is too early (no attempt used). Nothing outside this
package imports Celery; inside it only `celery_app` and `celery_watch` do.
"""

from headwater.jobs.context import TaskContext
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
    "Retry",
    "TaskContext",
    "every",
    "load_job_settings",
    "periodic",
    "task",
]
