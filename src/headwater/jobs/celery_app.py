"""Celery glue: with `celery_watch`, the only modules that import Celery.

A broker message carries nothing but a job id: the task claims that row (a duplicate or stale message
finds nothing to claim and is dropped) and runs it with the same runner as the embedded worker. Messages
are acknowledged late and re-queued if a worker process dies; prefetch is 1 because jobs can be long.
No result backend: the store is the truth. Workers start with ``headwater worker`` or, equally,
``celery -A headwater.jobs.celery_app worker`` (it consumes HEADWATER_JOBS_QUEUE); each worker's main
process runs a ticker thread, and the store lease lets one of them act.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from headwater.config import Settings, load_settings
from headwater.errors import ConfigError
from headwater.jobs import claims, runner
from headwater.jobs.broker import broker_url, check_broker, mask_broker_url, validate_broker_url
from headwater.jobs.celery_watch import install_broker_watch
from headwater.jobs.queue import JobQueue
from headwater.jobs.settings import JobSettings, load_job_settings
from headwater.jobs.ticker import Ticker
from headwater.store import Database

log = logging.getLogger(__name__)
TASK_NAME = "headwater.run_job"
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

_process: dict[str, Any] = {}  # this process's worker app and queue (rebuilt after a fork)


def create_app(settings: Settings, job_settings: JobSettings) -> Celery:
    """A Celery app on the configured broker, with the one task that runs job rows."""
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
    app.task(name=TASK_NAME, ignore_result=True)(run_job)
    install_broker_watch(app, interval=max(1.0, job_settings.tick_seconds))
    return app


def run_job(job_id: int) -> str:
    """Celery task: claim job `job_id` if it is due and run it; a message for anything else is dropped."""
    queue = process_queue()
    owner = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    job = claims.claim(queue.db, job_id, owner, queue.job_settings.lease_seconds)
    if job is None:
        log.debug("job %s is not claimable (done, running elsewhere, or not due): message dropped", job_id)
        return "skipped"
    return runner.execute(queue, job, owner)


def worker_app(settings: Settings | None = None, job_settings: JobSettings | None = None) -> Celery:
    """This process's worker app (built once from the environment unless given)."""
    if "app" not in _process:
        settings = settings if settings is not None else load_settings()
        job_settings = job_settings if job_settings is not None else load_job_settings()
        app = create_app(settings, job_settings)
        _process.update(app=app, settings=settings, job_settings=job_settings)
        _attach_ticker(app, job_settings)
    app_: Celery = _process["app"]
    return app_


def process_queue() -> JobQueue:
    """The job queue of this process; a forked pool process builds its own store connections."""
    cached = _process.get("queue")
    if cached is not None and _process.get("pid") == os.getpid():
        queue: JobQueue = cached
        return queue
    if cached is not None:
        cached.db.engine.dispose(close=False)  # inherited from the parent: never touch its sockets
    app = worker_app()
    settings: Settings = _process["settings"]
    job_settings: JobSettings = _process["job_settings"]
    dispatcher = CeleryDispatcher(app, job_settings.queue, mask_broker_url(broker_url(settings) or ""))
    queue = JobQueue(Database.open(settings), settings, job_settings, dispatcher=dispatcher)
    _process.update(queue=queue, pid=os.getpid())
    return queue


def _attach_ticker(app: Celery, job_settings: JobSettings) -> None:
    stop = threading.Event()

    def start(sender: Any = None, **_kwargs: Any) -> None:
        if getattr(sender, "app", None) is app and job_settings.ticker:
            owner = f"{socket.gethostname()}:{os.getpid()}:ticker"
            Ticker(process_queue(), owner).start(stop)

    def halt(sender: Any = None, **_kwargs: Any) -> None:
        stop.set()

    worker_ready.connect(start, weak=False)
    worker_shutdown.connect(halt, weak=False)


class CeleryDispatcher:
    """Publishes "run job N" messages; a broker that cannot be reached leaves the rows to the sweeper."""

    mode = "celery"

    def __init__(self, app: Celery, queue: str, shown_url: str) -> None:
        self.app, self.queue, self.shown_url = app, queue, shown_url
        self._outage = False

    @classmethod
    def create(cls, settings: Settings, job_settings: JobSettings) -> CeleryDispatcher:
        app = create_app(settings, job_settings)
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


def run_worker(settings: Settings, job_settings: JobSettings, *, concurrency: int) -> int:
    """`headwater worker` in Celery mode: check the broker, then run a Celery worker on our queue."""
    url = broker_url(settings)
    if url is None:
        raise ConfigError("Celery mode needs HEADWATER_BROKER_URL.")
    check_broker(url, job_settings.broker_timeout_seconds)
    app = worker_app(settings, job_settings)
    worker = app.Worker(
        concurrency=concurrency,
        queues=[job_settings.queue],
        loglevel=settings.log_level,
        hostname=f"headwater.{os.getpid()}@{socket.gethostname()}",
        without_mingle=True,
        without_gossip=True,
        without_heartbeat=True,
        optimization="fair",
        quiet=True,
    )
    worker.start()
    return int(worker.exitcode or 0)


def __getattr__(name: str) -> Any:
    """`celery -A headwater.jobs.celery_app` looks up `app`: build it from the environment on demand."""
    if name == "app":
        return worker_app()
    raise AttributeError(name)
