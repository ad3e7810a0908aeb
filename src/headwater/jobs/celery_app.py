"""Consuming jobs on Celery workers: the task that runs job rows, this process's queue, the ticker hook.

The task claims the row a message names (a duplicate or stale message finds nothing to claim and is
dropped) and runs it with the same runner as the embedded worker. Messages are acknowledged late and
re-queued if a worker process dies; prefetch is 1 because jobs can be long. Workers start with
``headwater worker`` or, equally, ``celery -A headwater.jobs.celery_app worker`` (it consumes
HEADWATER_JOBS_QUEUE); each worker's main process runs a ticker thread, and the store lease lets one of
them act. The app and the dispatcher come from `celery_publish`, which knows nothing of this side.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from headwater.config import Settings, load_settings
from headwater.errors import ConfigError
from headwater.jobs import claims, runner
from headwater.jobs.broker import broker_url, check_broker
from headwater.jobs.celery_publish import TASK_NAME, CeleryDispatcher, create_app
from headwater.jobs.celery_watch import install_broker_watch
from headwater.jobs.heartbeats import Pulse
from headwater.jobs.queue import JobQueue
from headwater.jobs.settings import JobSettings, load_job_settings
from headwater.jobs.ticker import Ticker
from headwater.store import Database

log = logging.getLogger(__name__)

_process: dict[str, Any] = {}  # this process's worker app and queue (rebuilt after a fork)


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
    """This process's worker app (built once from the environment unless given): the publishing app
    with the task that runs job rows, the broker watch and the ticker hook."""
    if "app" not in _process:
        settings = settings if settings is not None else load_settings()
        job_settings = job_settings if job_settings is not None else load_job_settings()
        app = create_app(settings, job_settings)
        app.task(name=TASK_NAME, ignore_result=True)(run_job)
        install_broker_watch(app, interval=max(1.0, job_settings.tick_seconds))
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
    dispatcher = CeleryDispatcher.create(settings, job_settings, app)
    queue = JobQueue(Database.open(settings), settings, job_settings, dispatcher=dispatcher)
    _process.update(queue=queue, pid=os.getpid())
    return queue


def _attach_ticker(app: Celery, job_settings: JobSettings) -> None:
    """The worker's main process beats (`heartbeats`) and, unless told not to, runs a ticker thread."""
    stop = threading.Event()
    pulses: list[Pulse] = []

    def start(sender: Any = None, **_kwargs: Any) -> None:
        if getattr(sender, "app", None) is not app:
            return
        queue = process_queue()
        identity = f"{socket.gethostname()}:{os.getpid()}"
        pulses.append(Pulse(queue.db, f"{identity}:celery", "celery", job_settings.heartbeat_seconds).start())
        if job_settings.ticker:
            Ticker(queue, f"{identity}:ticker").start(stop)

    def halt(sender: Any = None, **_kwargs: Any) -> None:
        stop.set()
        while pulses:
            pulses.pop().stop()

    worker_ready.connect(start, weak=False)
    worker_shutdown.connect(halt, weak=False)


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
