"""Fixtures for the job system's tests: an in-process queue on each store, and the process harness."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from headwater.config import load_settings
from headwater.jobs import JobQueue, load_job_settings, open_queue
from headwater.store import Database
from tests.jobs.harness import DEMO_MODULES, FAST_SETTINGS, jobs_env, jobs_mode, reset_store, shared_pg_url

__all__ = ["jobs_env", "jobs_mode"]


class RecordingDispatcher:
    """Stands in for the broker where a test checks what would be published, not how."""

    mode = "celery"

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.down = False

    def send(self, job_ids: Sequence[int]) -> list[int]:
        if self.down:
            return []
        self.sent.extend(job_ids)
        return list(job_ids)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Like the root fixture, but PostgreSQL tests share one database, emptied before each test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return reset_store(shared_pg_url(request.getfixturevalue("pg_templates")))


@pytest.fixture
def fast_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_JOBS_MODULES", DEMO_MODULES)
    for name, value in FAST_SETTINGS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def queue(db: Database, fast_env: None) -> JobQueue:
    """An embedded queue on SQLite and PostgreSQL, with the demo task kinds."""
    return open_queue(db, load_settings(), load_job_settings())


@pytest.fixture
def recording() -> RecordingDispatcher:
    return RecordingDispatcher()


@pytest.fixture
def celery_queue(db: Database, fast_env: None, recording: RecordingDispatcher) -> JobQueue:
    """A queue that behaves as in Celery mode, publishing to a `RecordingDispatcher`."""
    return JobQueue(db, load_settings(), load_job_settings(), dispatcher=recording)
