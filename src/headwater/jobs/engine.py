"""Starting work in the mode the settings choose: the embedded worker, a Celery worker, or a lone ticker."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from types import FrameType

from headwater.config import mask_url
from headwater.jobs.broker import broker_url, mask_broker_url
from headwater.jobs.heartbeats import Pulse
from headwater.jobs.queue import JobQueue
from headwater.jobs.ticker import Ticker
from headwater.jobs.worker import EmbeddedWorker, process_identity


def describe_mode(queue: JobQueue, concurrency: int, *, once: bool = False) -> str:
    store = mask_url(queue.db.url)
    if queue.mode == "embedded" or once:
        return f"embedded worker on {store}, {concurrency} thread(s)"
    url = mask_broker_url(broker_url(queue.settings) or "")
    return (
        f"Celery worker on {url}, queue {queue.job_settings.queue!r}, {concurrency} process(es); "
        f"store {store}"
    )


def run_worker(
    queue: JobQueue, *, concurrency: int = 1, once: bool = False, ticker: bool = True
) -> Counter[str]:
    """Run until stopped. `once` always runs in-process (claiming from the store), in either mode."""
    use_ticker = ticker and queue.job_settings.ticker
    if queue.mode == "embedded" or once:
        return EmbeddedWorker(queue, concurrency=concurrency, ticker=use_ticker).run(once=once)
    from headwater.jobs.celery_app import run_worker as run_celery_worker

    job_settings = queue.job_settings.model_copy(update={"ticker": use_ticker})
    code = run_celery_worker(queue.settings, job_settings, concurrency=concurrency)
    return Counter({"exit_code": code})


def run_ticker_only(queue: JobQueue) -> None:
    """A process that only fires periodic work and sweeps (a dedicated scheduler), until SIGTERM/Ctrl-C."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    owner = f"{process_identity()}:ticker"
    interval = queue.job_settings.heartbeat_seconds
    pulse = Pulse(queue.db, owner, "ticker", interval, runs_jobs=False).start()
    try:
        Ticker(queue, owner).run(stop)
    finally:
        pulse.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
