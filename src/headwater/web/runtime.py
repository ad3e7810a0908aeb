"""What runs beside the web app in one process: in embedded mode, the job worker and its ticker.

In scale-out mode (a broker is set) Celery workers run the jobs and `headwater worker --ticker-only`
fires periodic work, so the web process only serves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from headwater.jobs import registry
from headwater.jobs.worker import EmbeddedWorker

log = logging.getLogger(__name__)


def load_task_modules() -> None:
    """Every built-in job kind, so the web can submit them and its embedded worker run them."""
    registry.load()


def lifespan_with_worker(enabled: bool, concurrency: int) -> object:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        services = app.state.services
        if enabled and services.queue.mode == "embedded":
            worker = EmbeddedWorker(services.queue, concurrency=concurrency, role="serve").start()
            log.info("embedded worker started with %d thread(s)", concurrency)
        try:
            yield
        finally:
            if worker is not None:
                worker.shutdown()

    return lifespan
