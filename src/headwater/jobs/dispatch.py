"""Opening a job queue with the dispatcher the settings choose: how a committed job row reaches a worker.

Embedded mode has nothing to send (workers poll the store). Celery mode publishes a message naming the
job; if the broker cannot be reached the row simply stays undispatched and the sweeper sends it later,
so creating work never fails because of the broker. The choice is made here, outside `JobQueue`, and
handed to it: the queue only knows the small `Dispatcher` protocol, never Celery.
"""

from __future__ import annotations

from collections.abc import Sequence

from headwater.config import Settings
from headwater.jobs.broker import broker_url, validate_broker_url
from headwater.jobs.queue import Dispatcher, JobQueue
from headwater.jobs.settings import JobSettings, load_job_settings
from headwater.store import Database


class EmbeddedDispatcher:
    """Workers poll the store, so there is nothing to send."""

    mode = "embedded"

    def send(self, job_ids: Sequence[int]) -> list[int]:
        return []


def open_dispatcher(settings: Settings, job_settings: JobSettings) -> Dispatcher:
    """Embedded without a broker URL; Celery otherwise (Celery is imported only then)."""
    url = broker_url(settings)
    if url is None:
        return EmbeddedDispatcher()
    validate_broker_url(url)
    from headwater.jobs.celery_publish import CeleryDispatcher

    return CeleryDispatcher.create(settings, job_settings)


def open_queue(db: Database, settings: Settings, job_settings: JobSettings | None = None) -> JobQueue:
    """The job queue services use: embedded, or Celery when HEADWATER_BROKER_URL is set."""
    job_settings = job_settings if job_settings is not None else load_job_settings()
    return JobQueue(db, settings, job_settings, dispatcher=open_dispatcher(settings, job_settings))
