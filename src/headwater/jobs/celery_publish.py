"""Publishing jobs on Celery: the app that knows the broker, and the dispatcher that sends "run job N".

This is all a process that only creates work needs (the web, the CLI, a service): the broker URL and the
job settings. The consuming side — the task that runs job rows, the worker and its ticker — lives in
`celery_app`, which imports this module and never the other way round.

A broker message carries nothing but a job id, on the queue named by HEADWATER_JOBS_QUEUE; there is no
result backend, because the store is the truth. A broker that cannot be reached leaves the rows queued in
the store, and the sweeper sends them once it is back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from celery import Celery

from headwater.config import Settings
from headwater.errors import ConfigError
from headwater.jobs.broker import broker_url, mask_broker_url, validate_broker_url
from headwater.jobs.settings import JobSettings

log = logging.getLogger(__name__)
#: the one Celery task name; it is on the wire, so workers of another version still understand it
TASK_NAME = "headwater.run_job"
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def create_app(settings: Settings, job_settings: JobSettings) -> Celery:
    """A Celery app on the configured broker, configured alike for publishing and consuming."""
    url = broker_url(settings)
    if url is None:
        raise ConfigError("Celery mode needs HEADWATER_BROKER_URL (redis://... or amqp://...).")
    app = Celery("headwater", broker=validate_broker_url(url), set_as_current=False)
    queue = job_settings.queue
    app.conf.update(
        broker_connection_timeout=job_settings.broker_timeout_seconds,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for its broker to come back
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=False,  # the lease, not the broker, decides
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=queue,
        task_default_exchange=queue,
        task_default_routing_key=queue,
        task_create_missing_queues=True,
        task_serializer="json",
        accept_content=["json"],
        worker_enable_remote_control=False,  # no per-worker reply queues on the broker
        worker_send_task_events=False,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        enable_utc=True,
    )
    return app


class CeleryDispatcher:
    """Publishes "run job N" messages; a broker that cannot be reached leaves the rows to the sweeper."""

    mode = "celery"

    def __init__(self, app: Celery, queue: str, shown_url: str) -> None:
        self.app, self.queue, self.shown_url = app, queue, shown_url
        self._outage = False

    @classmethod
    def create(
        cls, settings: Settings, job_settings: JobSettings, app: Celery | None = None
    ) -> CeleryDispatcher:
        """A dispatcher on a new app, or on `app` (a worker process publishes with its own)."""
        app = app if app is not None else create_app(settings, job_settings)
        return cls(app, job_settings.queue, mask_broker_url(broker_url(settings) or ""))

    def send(self, job_ids: Sequence[int]) -> list[int]:
        sent: list[int] = []
        for job_id in job_ids:
            try:
                self.app.send_task(
                    TASK_NAME, args=[job_id], queue=self.queue, retry=True, retry_policy=_PUBLISH_RETRY
                )
            except Exception as exc:
                self._report_outage(exc)
                break
            sent.append(job_id)
        if sent and self._outage:
            log.warning("the broker at %s answers again", self.shown_url)
            self._outage = False
        return sent

    def _report_outage(self, exc: Exception) -> None:
        """Once per outage: every submit during it would otherwise log the same warning."""
        level = logging.DEBUG if self._outage else logging.WARNING
        self._outage = True
        log.log(
            level,
            "cannot reach the broker at %s (%s); jobs stay queued in the store and are sent when it is back",
            self.shown_url,
            type(exc).__name__,
        )
