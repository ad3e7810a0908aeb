"""Dispatchers: how a committed job row reaches a worker.

Embedded mode has nothing to send (workers poll the store). Celery mode publishes a message naming the
job; if the broker cannot be reached the row simply stays undispatched and the sweeper sends it later,
so creating work never fails because of the broker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from headwater.config import Settings
from headwater.jobs.broker import broker_url, validate_broker_url
from headwater.jobs.settings import JobSettings


class Dispatcher(Protocol):
    mode: str  # "embedded" | "celery"

    def send(self, job_ids: Sequence[int]) -> list[int]:
        """Publish what can be published; returns the ids that were sent."""
        ...


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
    from headwater.jobs.celery_app import CeleryDispatcher

    return CeleryDispatcher.create(settings, job_settings)
